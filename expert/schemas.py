"""JSON Schemas of the file kinds, for editors: derived from the models the loader validates with
(questionnaire, rules) and from the questionnaire itself (answers), so they cannot disagree."""

from __future__ import annotations

from typing import Any

from expert.actions import ActionFile
from expert.knowledge import KnowledgeBase
from expert.policy import VERDICTS, Policy
from expert.questionnaire import Questionnaire
from expert.rulebase import RuleFile
from expert.schema import json_schema

KINDS = ("questionnaire", "rules", "policy", "actions", "answers")


def schema_for(kind: str, kb: KnowledgeBase | None = None) -> dict[str, Any]:
    if kind == "questionnaire":
        return json_schema(Questionnaire, "shequn questionnaire")
    if kind == "rules":
        return json_schema(RuleFile, "shequn rules file")
    if kind == "policy":
        return json_schema(Policy, "shequn judgement policy (rules/policy.yaml)")
    if kind == "actions":
        return json_schema(ActionFile, "shequn actions file")
    if kind == "answers":
        if kb is None:
            raise ValueError("the answers schema is made from a knowledge base's questionnaire")
        return answers_schema(kb.questionnaire)
    raise ValueError(f"unknown schema kind {kind!r}")


def answers_schema(q: Questionnaire) -> dict[str, Any]:
    """The schema of an answers file for this questionnaire: every question with its type and range."""
    lang = q.languages[0]
    props: dict[str, Any] = {}
    for question in q.questions.values():
        prop: dict[str, Any] = {"description": question.text_in(lang)}
        kind = question.type
        if kind in ("integer", "scale"):
            prop["type"] = "integer"
        elif kind == "number":
            prop["type"] = "number"
        elif kind == "yesno":
            prop["type"] = "boolean"
        elif kind == "text":
            prop.update(type="string", maxLength=question.length_limit)
        elif kind == "single":
            prop["enum"] = question.choice_values
        else:
            prop.update(type="array", items={"enum": question.choice_values}, uniqueItems=True)
        if not question.required:  # null: asked and deliberately left empty
            if "enum" in prop:
                prop["enum"] = [*prop["enum"], None]
            else:
                prop["type"] = [prop["type"], "null"]
        lo, hi = question.bounds({})
        if lo is not None:
            prop["minimum"] = lo
        if hi is not None:
            prop["maximum"] = hi
        props[question.id] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"shequn answers ({q.id} v{q.version})",
        "type": "object",
        "properties": {
            "questionnaire": {"const": q.id},
            "version": {"const": q.version},
            "date": {"type": "string", "format": "date"},
            "lang": {"enum": list(q.languages)},
            "story": {"type": "string", "description": "a golden case: the operator's story, in their words"},
            "answers": {"type": "object", "properties": props, "additionalProperties": False},
            "expect": {
                "type": "object",
                "description": "a golden case: what the rules must conclude",
                "properties": {
                    "findings": {"type": "array", "items": {"type": "string"}},
                    "verdicts": {"type": "object", "properties": {s.check: {"enum": list(VERDICTS)} for s in q.checks},
                                 "additionalProperties": False},
                    "first": {"type": ["string", "null"]},
                },
                "additionalProperties": False},
        },
        "required": ["answers"],
        "additionalProperties": False,
    }
