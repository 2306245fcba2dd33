"""Property: any valid answers, however unusual, diagnose and render in every language."""

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expert.answers import validate_answers
from expert.sampling import random_answers


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False))
def test_random_valid_answers_always_diagnose_and_render(checkup, rng: random.Random):
    kb = checkup.kb
    values = random_answers(kb.questionnaire, rng)
    answers = validate_answers({"answers": values, "date": "2026-11-24"}, kb.questionnaire, "random")
    diagnosis = checkup.diagnose(answers)
    checks = {s.check for s in kb.questionnaire.checks}
    assert set(diagnosis.verdicts) == checks
    assert all(f.check in checks | {"cross"} for f in diagnosis.findings)
    for lang in kb.languages:
        text = checkup.renderer.markdown(answers, diagnosis, lang)
        assert text.startswith("# ") and "None" not in text
        data = json.loads(checkup.renderer.json(answers, diagnosis, lang))
        assert sorted(f["id"] for f in data["findings"]) == diagnosis.ids
