"""The interview: the questionnaire asked in a terminal one question at a time, every answer saved the
moment it is given, and the prescription written at the end.

questionary and prompt_toolkit are imported here and nowhere else, and the CLI imports this module only
for `shequn interview`, so no other command pays for them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import shlex
import shutil
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, TextIO

from expert import conditions as c
from expert.answers import Answers, answers_document, read_document, validate_answers, write_answers
from expert.errors import AnswersError, Interrupted, ShequnError, UsageError
from expert.files import reason, same_file, write_atomically
from expert.findings import Diagnosis
from expert.knowledge import KnowledgeBase, load_knowledge_base
from expert.locks import Lock
from expert.messages import default_language, set_language, t
from expert.prompts import BACK, HELP, SKIP, Prompter, key
from expert.numbers import unit_spacing
from expert.questionnaire import Question, Questionnaire
from expert.signals import held, named
from expert.terminal import Transcript, program

log = logging.getLogger(__name__)

DEFAULT_ANSWERS = "shequn-answers.yaml"
DEFAULT_PRESCRIPTION = "shequn-prescription.md"
SELECT_TYPES = ("single", "yesno", "scale")


class HangUp(KeyboardInterrupt):
    """The terminal was closed (SIGHUP): saved and ended like Ctrl-C, with no one left to read the message."""


class Terminated(KeyboardInterrupt):
    """The interview was told to stop (SIGTERM, as `kill` sends): saved and ended like Ctrl-C."""


SAVE_HOLDS = ("SIGINT", "SIGHUP", "SIGTERM")  # what waits while the answers file is written


class AnswerSheet:
    """The answers given so far, kept in step with the questionnaire and with the answers file: every
    answer is saved the moment it is given, whole or not at all, and Ctrl-C, a hang-up or SIGTERM waits
    until it is."""

    def __init__(self, questionnaire: Questionnaire, lang: str, path: str | Path, resumed: Answers | None = None):
        self.questionnaire = questionnaire
        self.lang = lang
        self.path = Path(path)
        self.order = list(questionnaire.questions.values())
        self.values: dict[str, Any] = dict(resumed.values) if resumed else {}
        # optional questions asked and deliberately left empty: saved as null, not asked again on resuming
        self.empty: set[str] = set(resumed.empty) if resumed else set()
        self.date = resumed.date if resumed else None
        self.expect = resumed.expect if resumed else None
        self.story = resumed.story if resumed else None
        # answers a change made irrelevant or out of range: offered again if their question comes back
        self.drafts: dict[str, Any] = {}

    def give(self, question: Question, value: Any) -> list[Question]:
        """Record an answer (None: left empty), drop the answers it makes irrelevant or out of range, and
        save; returns the questions whose answers were dropped."""
        if value is None:
            self.values.pop(question.id, None)
            if not question.required:
                self.empty.add(question.id)
        else:
            self.values[question.id] = value
            self.empty.discard(question.id)
        self.drafts.pop(question.id, None)
        dropped = self._prune()
        self.save()
        return dropped

    def _prune(self) -> list[Question]:
        kept: dict[str, Any] = {}
        dropped = []
        for q in self.order:
            if q.id not in self.values:
                continue
            value = self.values[q.id]
            if q.is_relevant(kept):  # skip logic and bounds refer to earlier answers only
                try:
                    kept[q.id] = q.validate(value, kept, self.lang)
                    continue
                except ValueError:
                    pass
            self.drafts[q.id] = value
            dropped.append(q)
        self.values = kept
        self.empty = {qid for qid in self.empty if self.questionnaire.questions[qid].is_relevant(kept)}
        return dropped

    def answers(self) -> Answers:
        values = {q.id: self.values[q.id] for q in self.order if q.id in self.values}
        return Answers(self.questionnaire.id, self.questionnaire.version, values, self.date, self.lang, self.expect,
                       self.story, empty=tuple(q.id for q in self.order if q.id in self.empty))

    def save(self) -> None:
        """Rewrite the answers file atomically; Ctrl-C, a hang-up or SIGTERM waits until it is written."""
        try:
            with held(named(*SAVE_HOLDS)):
                write_answers(self.path, self.answers(), self.questionnaire)
        except OSError as exc:
            raise UsageError(t("interview.cannot_save", file=self.path, reason=reason(exc))) from None
        log.debug("saved %d answers to %s", len(self.values), self.path)


class Interview:
    """Asks a questionnaire's questions in order, honouring skip logic, and saves after every answer.

    The walk through the questions (what comes next, where going back leads) is here; the answers and
    their saving are an AnswerSheet; how a prompt looks and which keys it takes is expert/prompts.py;
    what is said around the prompts is a Transcript, which takes back its lines when the operator goes
    back. `input` and `output` go to
    prompt_toolkit (tests give a pipe input and a dummy output); `echo` gets everything that is not a
    prompt: section headings, help texts and each answer as given.
    """

    def __init__(self, questionnaire: Questionnaire, lang: str, answers_path: str | Path, *,
                 resumed: Answers | None = None, input: Any = None, output: Any = None,
                 echo: TextIO | None = None, continue_command: str = "shequn interview --resume",
                 start_command: str = "shequn interview", defaults: dict[str, Any] | None = None):
        self.questionnaire = questionnaire
        self.lang = lang
        self.sheet = AnswerSheet(questionnaire, lang, answers_path, resumed)
        # a follow-up's earlier answers (--since), offered where this interview has none of its own
        self.defaults: dict[str, Any] = dict(defaults or {})
        self.order = self.sheet.order
        self.position = {q.id: i for i, q in enumerate(self.order)}
        self.part = {s.id: i for i, s in enumerate(questionnaire.sections, start=1)}
        self.prompter = Prompter(input, output)
        out = echo if echo is not None else sys.stdout
        self.transcript = Transcript(out, _terminal_size if _is_terminal(out) else None)
        self.continue_command = continue_command
        self.start_command = start_command
        self.reached = -1  # position of the furthest question asked so far
        self._section: str | None = None

    # ------------------------------------------------------------------ the walk through the questions

    def first_open(self) -> Question | None:
        """Where an interview starts or resumes: the first question asked for these answers and not yet
        answered (a question left empty on purpose has been answered)."""
        return next((q for q in self.order if not self._given(q) and q.is_relevant(self.values)), None)

    def _given(self, question: Question) -> bool:
        return question.id in self.values or question.id in self.empty

    def after(self, question: Question) -> Question | None:
        """The next question to ask: questions stepped back over are asked again (their answers filled
        in), answered ones beyond the furthest question reached (a resumed file's) are not."""
        for q in self.order[self.position[question.id] + 1:]:
            if q.is_relevant(self.values) and (not self._given(q) or self.position[q.id] <= self.reached):
                return q
        return None

    def before(self, question: Question) -> Question | None:
        """The previous question asked; None on the first."""
        earlier = reversed(self.order[: self.position[question.id]])
        return next((q for q in earlier if q.is_relevant(self.values)), None)

    # the answers given so far live on the sheet; these are its names as the conversation uses them
    @property
    def values(self) -> dict[str, Any]:
        return self.sheet.values

    @property
    def empty(self) -> set[str]:
        return self.sheet.empty

    @property
    def drafts(self) -> dict[str, Any]:
        return self.sheet.drafts

    @property
    def path(self) -> Path:
        return self.sheet.path

    def give(self, question: Question, value: Any) -> list[Question]:
        return self.sheet.give(question, value)

    def answers(self) -> Answers:
        return self.sheet.answers()

    def tally(self, question: Question) -> tuple[int, int, bool]:
        """(k, n, certain): `question` is the k-th of n asked; n counts the questions that skip logic may
        still ask, so it is certain only when no answer still to come decides one."""
        here = self.position[question.id]
        k = 1 + sum(1 for q in self.order[:here] if q.is_relevant(self.values))
        n, certain = k, True
        for q in self.order[here + 1:]:
            holds = True if q.ask_if_node is None else c.evaluate(q.ask_if_node, self.values)
            if holds is True:
                n += 1
            elif holds is c.UNKNOWN and any(
                    u not in self.values and self.position.get(u, -1) >= here for u in c.answers_used(q.ask_if_node)):
                n += 1
                certain = False
        return k, n, certain

    def progress(self, question: Question) -> str:
        """[question k of about n · part s of m], shown on every prompt."""
        k, n, certain = self.tally(question)
        key = "interview.progress" if certain else "interview.progress_about"
        return t(key, self.lang, k=k, n=n, s=self.part.get(question.section, 1),
                 sections=len(self.questionnaire.sections))

    # ------------------------------------------------------------------ the conversation

    def run(self) -> Answers:
        """Ask until every question asked for these answers has been seen; returns the answers.

        Ctrl-C, end of input, a hang-up or SIGTERM at any point raise Interrupted: the file already holds
        every answer given, and the message says how many and how to continue.
        """
        current = self.first_open()
        try:
            self.welcome(current)
            while current is not None:
                self.reached = max(self.reached, self.position[current.id])
                self._heading(current)
                reply = self.ask(current)
                if reply is BACK:
                    current = self.go_back(current)
                    continue
                dropped = self.give(current, reply)
                self._said(current, reply)
                if dropped:
                    names = t("answer.list_sep", self.lang).join(q.label_in(self.lang) for q in dropped)
                    self.say("  " + t("interview.dropped", self.lang, n=len(dropped), questions=names), current)
                current = self.after(current)
        except Terminated:
            raise self.interrupted(exit_code=143) from None
        except (KeyboardInterrupt, EOFError):  # Ctrl-C, Ctrl-D, or HangUp from the SIGHUP handler
            raise self.interrupted() from None
        return self.answers()

    def go_back(self, current: Question) -> Question:
        """The previous question, with what was said since it was asked taken off the screen."""
        previous = self.before(current)
        if previous is None:
            return current
        self.transcript.take_back(self.position[previous.id])
        last = self.transcript.last()
        self._section = self.order[last].section if last is not None else None
        return previous

    def welcome(self, current: Question | None) -> None:
        q = self.questionnaire
        if self.values or self.empty:
            if current is None:
                self.say(t("interview.resumed_done", self.lang, n=len(self.values)))
            else:
                self.say(t("interview.resumed", self.lang, n=len(self.values), k=self.tally(current)[0]))
            return
        total = self.tally(current)[1] if current is not None else 0
        self.say(t("interview.welcome", self.lang, title=q.title.get_text(self.lang), n=total,
                   sections=len(q.sections), file=self.path))
        if q.intro:
            self.say(q.intro.get_text(self.lang))
        self.say(t("interview.keys", self.lang))

    def ask(self, question: Question) -> Any:
        """One question, until it gets an answer (None: left empty) or BACK; help is shown in between."""
        first = self.before(question) is None
        default = self._default(question)
        while True:
            if question.type in SELECT_TYPES:
                reply = self._select(question, default, first)
            elif question.type == "multiple":
                reply = self._checkbox(question, default, first)
            else:
                reply = self._type_in(question, default, first)
            if isinstance(reply, tuple) and reply[0] is HELP:
                self.say("  " + t("interview.why", self.lang, text=question.help.get_text(self.lang)), question)
                default = reply[1]  # what was ticked or typed stays
                continue
            return reply

    def _default(self, question: Question) -> Any:
        for candidate in (self.values.get(question.id), self.drafts.get(question.id), self.defaults.get(question.id),
                          question.default):
            if candidate is not None:
                return candidate
        return None

    def _extras(self, question: Question, first: bool, skip: bool = False) -> list[tuple[str, Any]]:
        extras = [(t("interview.skip_entry", self.lang), SKIP)] if skip and not question.required else []
        extras.append((t("interview.help_entry", self.lang), HELP))
        if not first:
            extras.append((t("interview.back_entry", self.lang), BACK))
        return extras

    def _select(self, question: Question, default: Any, first: bool) -> Any:
        reply = self.prompter.choose(self.progress(question), question.text_in(self.lang),
                                     t("interview.select_hint", self.lang), self._options(question), default,
                                     self._extras(question, first, skip=True))
        if reply is HELP:
            return HELP, default
        return None if reply is SKIP else reply

    def _options(self, question: Question) -> list[tuple[str, Any]]:
        lang = self.lang
        if question.type == "yesno":
            return [(t("answer.yes", lang), True), (t("answer.no", lang), False)]
        if question.type == "scale":
            labels = question.labels or {}
            return [(f"{i}  {labels[i].get_text(lang)}" if i in labels else str(i), i) for i in range(1, 6)]
        return [(ch.label.get_text(lang), ch.value) for ch in question.choices or []]

    def _checkbox(self, question: Question, default: Any, first: bool) -> Any:
        ticked = [v for v in default if v in question.choice_values] if isinstance(default, list) else []
        reply = self.prompter.tick(self.progress(question), question.text_in(self.lang),
                                   t("interview.checkbox_hint", self.lang), self._options(question), ticked,
                                   self._extras(question, first), lambda chosen: self.check_ticked(question, chosen))
        if isinstance(reply, tuple) and reply[0] is BACK:
            if reply[1]:  # the ticks are offered again when the question comes back
                self.drafts[question.id] = reply[1]
            return BACK
        if isinstance(reply, tuple):
            return reply
        return question.validate(list(reply), self.values, self.lang)

    def check_ticked(self, question: Question, selected: list[Any]) -> bool | str:
        """The checklist's check of the options ticked: True, or the message shown under the list."""
        try:
            question.validate(list(selected), self.values, self.lang)
        except ValueError as exc:
            return str(exc)
        return True

    def check_typed(self, question: Question, text: str, first: bool = False) -> bool | str:
        """The typed line's check: True, or the message shown under the prompt."""
        typed = key(text)
        if typed == "?":
            return True
        if typed == "<":
            return True if not first else t("interview.no_previous", self.lang)
        if not typed:
            return True if not question.required else t("value.empty", self.lang)
        try:
            question.read_typed(text, self.values, self.lang)
        except ValueError as exc:
            return str(exc)
        return True

    def _type_in(self, question: Question, default: Any, first: bool) -> Any:
        """Numbers and text: typed in, checked on the prompt itself; ? shows the help, < goes back."""
        text = self.prompter.type_in(self.progress(question), question.text_in(self.lang), self._hint(question, first),
                                     "" if default is None else _shown(default),
                                     lambda typed: self.check_typed(question, typed, first))
        typed = key(text)
        if typed == "?":
            return HELP, default
        if typed == "<":
            return BACK
        return question.read_typed(text, self.values, self.lang) if typed else None

    def _hint(self, question: Question, first: bool) -> str:
        parts = []
        if question.type in ("integer", "number"):
            lo, hi = question.bounds(self.values)
            unit = question.unit.get_text(self.lang) if question.unit else ""
            unit = f" {unit}" if unit and (self.lang == "en" or unit_spacing(unit)) else unit
            if lo is not None and hi is not None:
                parts.append(t("interview.range", self.lang, lo=_shown(lo), hi=_shown(hi), unit=unit))
            elif lo is not None:
                parts.append(t("interview.at_least", self.lang, lo=_shown(lo), unit=unit))
            elif hi is not None:
                parts.append(t("interview.at_most", self.lang, hi=_shown(hi), unit=unit))
        elif question.type == "text":
            parts.append(t("interview.max_length", self.lang, n=question.length_limit))
        if not question.required:
            parts.append(t("interview.optional", self.lang))
        parts.append(t("interview.text_hint_first" if first else "interview.text_hint", self.lang))
        if self.lang == "zh":
            return "（" + "；".join(parts) + "）"
        return "(" + "; ".join(parts) + ")"

    # ------------------------------------------------------------------ what is said around the prompts

    def say(self, text: str = "", question: Question | None = None) -> None:
        """A line above the prompts; one said about a question is taken back when the operator goes back to it."""
        self.transcript.say(text, self.position[question.id] if question is not None else None)

    def _heading(self, question: Question) -> None:
        if question.section == self._section:
            return
        self._section = question.section
        section = next(s for s in self.questionnaire.sections if s.id == question.section)
        self.say("", question)
        self.say(t("interview.section", self.lang, title=section.title.get_text(self.lang)), question)
        if section.intro:
            self.say(section.intro.get_text(self.lang), question)

    def _said(self, question: Question, value: Any) -> None:
        from expert.report import format_answer  # after the first answer, not before the first question

        self.say(f"  ✓ {question.text_in(self.lang)}  {format_answer(question, value, self.lang)}", question)

    def interrupted(self, exit_code: int | None = None) -> Interrupted:
        """The way out after Ctrl-C, a hang-up or SIGTERM: the file already holds every answer given."""
        if not self.values and not self.empty and not self.path.exists():
            message = t("interview.nothing_saved", self.lang) + "\n" + t(
                "interview.start_again", self.lang, command=self.start_command)
        else:
            message = t("interview.saved", self.lang, n=len(self.values), file=self.path) + "\n" + t(
                "interview.continue", self.lang, command=self.continue_command)
        return Interrupted(message, exit_code=exit_code)


def _shown(value: Any) -> str:
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def _is_terminal(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def _terminal_size() -> tuple[int, int]:
    size = shutil.get_terminal_size((80, 24))
    return size.columns, size.lines


@contextmanager
def _stops_as_interrupt(enabled: bool) -> Iterator[None]:
    """A closed terminal (SIGHUP) and `kill` (SIGTERM) take the Ctrl-C way out: the answers are kept and
    the message says how to continue; the exit code is 130, or 143 after SIGTERM."""
    stops = {name: error for name, error in (("SIGHUP", HangUp), ("SIGTERM", Terminated)) if hasattr(signal, name)}
    if not enabled or not stops or threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []

    def stop(signum, frame):
        for name in stops:  # one is enough; more may follow while we leave
            signal.signal(getattr(signal, name), signal.SIG_IGN)
        caught.append(signum)
        raise stops[signal.Signals(signum).name]()

    previous = {name: signal.signal(getattr(signal, name), stop) for name in stops}
    try:
        yield
    finally:
        if not caught:
            for name, handler in previous.items():
                signal.signal(getattr(signal, name), handler)


def _quiet_if_terminal_gone() -> None:
    """After a hang-up nothing can be printed; send output nowhere so that leaving does not fail."""
    try:
        os.write(sys.stderr.fileno(), b"\n")
    except (OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        for fd in (1, 2):
            try:
                os.dup2(null, fd)
            except OSError:
                pass


# ---------------------------------------------------------------------- resuming


def read_for_resume(path: Path, questionnaire: Questionnaire, name: str) -> Answers:
    """The answers given so far; unanswered questions are expected, anything else is reported as
    `shequn diagnose` would, and a file of another questionnaire or version is refused."""
    data = read_document(path, name)
    if isinstance(data, dict):
        got = (data.get("questionnaire", questionnaire.id), data.get("version", questionnaire.version))
        if got != (questionnaire.id, questionnaire.version):
            raise AnswersError(t("interview.other_questionnaire", file=name, got=got[0], got_version=got[1],
                                 want=questionnaire.id, want_version=questionnaire.version))
    return validate_answers(data, questionnaire, name, complete=False)


# ---------------------------------------------------------------------- the command


def command_line(resume: bool, answers: str | None, prescription: str | None, kb: str | None,
                 lang: str | None) -> str:
    """The `shequn interview` command that goes on with the same files."""
    parts = ["interview"] + (["--resume"] if resume else [])
    for option, value in (("--answers", answers), ("-o", prescription), ("--kb", kb), ("--lang", lang)):
        if value:
            parts += [option, value]
    return " ".join([program(), *(_quote(p) for p in parts)])


def _quote(word: str) -> str:
    """Quoted for a shell only when it must be: a Chinese file name is typed and pasted as it is."""
    if word and all(ch.isalnum() or ch in "@%+=:,./-_" for ch in word):
        return word
    return shlex.quote(word)


def choose_language(requested: str | None, resumed: Answers | None, questionnaire: Questionnaire) -> str:
    """--lang, else the language the answers were given in, else SHEQUN_LANG, else the questionnaire's first."""
    for candidate in (requested, resumed.lang if resumed else None, default_language()):
        if candidate in questionnaire.languages:
            return candidate
    return questionnaire.languages[0]


def run_interview(kb_dir: str | None = None, answers_path: str | None = None, prescription: str | None = None,
                  resume: bool = False, lang: str | None = None, *, input: Any = None, output: Any = None,
                  echo: TextIO | None = None, since: str | None = None) -> int:
    """`shequn interview`: ask, save as it goes, then diagnose and write the prescription."""
    terminal = input is None and output is None
    # "-" is standard input or output to every other command; here it would be a file named "-"
    if answers_path == "-" or prescription == "-":
        raise UsageError(t("interview.no_dash", option="--answers" if answers_path == "-" else "-o",
                           program=program()))
    if terminal and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(t("interview.not_tty", program=program()))
    path = Path(answers_path or DEFAULT_ANSWERS)
    with _answering(path):
        return _interview(kb_dir, path, answers_path, prescription, resume, lang, terminal, input, output, echo,
                          since)


@contextmanager
def _answering(path: Path) -> Iterator[None]:
    """One interview per answers file: a second one would overwrite the first one's answers with its own."""
    lock = Lock(path.with_name(f".{path.name}.lock")) if path.name else None
    try:
        held = lock.acquire() if lock else None
    except OSError:  # a folder that cannot be written to: the interview says so before the first question
        held = None
    if held is False:
        raise UsageError(t("interview.answers_busy", file=path, pid=lock.holder() if lock else "?"))
    try:
        yield
    finally:
        if held:
            lock.release()


def _interview(kb_dir: str | None, path: Path, answers_path: str | None, prescription: str | None, resume: bool,
               lang: str | None, terminal: bool, input: Any, output: Any, echo: TextIO | None,
               since: str | None = None) -> int:
    out = Path(prescription or DEFAULT_PRESCRIPTION)
    follow = f" --since {_quote(since)}" if since else ""  # a resumed follow-up is still one
    again = command_line(False, answers_path, prescription, kb_dir, lang) + follow
    if resume and not path.is_file():
        raise UsageError(t("interview.nothing_to_resume", file=path, command=again))
    if not resume and path.exists():
        # a repeat checkup keeps the last one's files: both of its own are dated, and a finished last
        # checkup gives its answers as defaults and its findings to compare with (--since)
        last = follow or (f" --since {_quote(str(path))}" if _finished(path, kb_dir) else "")
        fresh = command_line(False, str(dated(path)), str(dated(out)), kb_dir, lang) + last
        going_on = command_line(True, answers_path, prescription, kb_dir, lang) + follow
        raise UsageError(t("interview.answers_exist", file=path, resume=going_on, fresh=fresh))
    earlier = None
    if out.is_file():  # an earlier prescription is kept, never overwritten without a word
        earlier, out = out, dated(out)
        prescription = str(out)
    going_on = command_line(True, answers_path, prescription, kb_dir, lang) + follow
    if same_file(out, path):  # said now, not after the last question
        raise UsageError(t("files.would_overwrite_input", file=out, input=path))
    folder = path.parent if str(path.parent) else Path(".")
    if not os.access(folder, os.W_OK):
        raise UsageError(t("interview.cannot_save", file=path, reason=os.strerror(13)))

    kb = load_knowledge_base(kb_dir)  # validated and cached; the engine is built only at the end
    resumed = read_for_resume(path, kb.questionnaire, str(path)) if resume else None
    last_checkup = None
    if since:  # read and dated before the first question is asked
        from expert.followup import read_earlier

        last_checkup = read_earlier(since, kb.questionnaire)
    lang = choose_language(lang, resumed, kb.questionnaire)
    set_language(lang)
    interview = Interview(kb.questionnaire, lang, path, resumed=resumed, input=input, output=output, echo=echo,
                          continue_command=going_on, start_command=again,
                          defaults=last_checkup.answers.values if last_checkup else None)
    if earlier is not None:
        interview.say(t("interview.prescription_exists", lang, earlier=earlier, file=out))
    if last_checkup:
        interview.say(t("interview.since", lang, file=since))
    try:
        with _stops_as_interrupt(terminal):
            answers = interview.run()
            try:
                finish(kb, answers, lang, path, out, interview.say, last_checkup)
            except Terminated:
                raise interview.interrupted(exit_code=143) from None
            except KeyboardInterrupt:
                raise interview.interrupted() from None
    except Interrupted:
        if terminal:
            _quiet_if_terminal_gone()
        raise
    return 0


def _finished(path: Path, kb_dir: str | None) -> bool:
    """Whether `path` holds a finished checkup, one that --since can compare with."""
    from expert.answers import read_answers

    try:
        read_answers(path, load_knowledge_base(kb_dir).questionnaire)
    except ShequnError:
        return False
    return True


def dated(path: Path, today: dt.date | None = None) -> Path:
    """The file of a repeat checkup beside `path`: 处方.md → 处方-2026-12-25.md (…-2.md if that one exists)."""
    day = (today or dt.date.today()).isoformat()
    for n in itertools.count(1):
        candidate = path.with_name(f"{path.stem}-{day}{'' if n == 1 else f'-{n}'}{path.suffix}")
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
    raise AssertionError("unreachable")


def finish(kb: KnowledgeBase, answers: Answers, lang: str, answers_path: Path, out: Path, say, since=None) -> None:
    """Diagnose the complete answers, write the prescription (with `since`, compared with the last
    checkup), and show the verdicts."""
    from expert.checkup import Checkup

    complete = validate_answers(answers_document(answers, kb.questionnaire), kb.questionnaire, str(answers_path), lang)
    say()
    say(t("interview.diagnosing", lang))
    report = Checkup(kb).report(complete, "markdown", lang, since=since)
    try:
        write_atomically(out, report.text, keep=[answers_path])
    except OSError as exc:
        command = f"{program()} diagnose {_quote(str(answers_path))} -o OTHER.md"
        raise UsageError(t("interview.prescription_failed", lang, file=out, reason=reason(exc),
                           answers=answers_path, command=command)) from None
    say()
    say(verdict_table(kb, report.diagnosis, lang))
    say()
    say(t("cli.written", lang, file=os.path.abspath(out)))  # wherever the operator looks for them later
    say(t("interview.answers_kept", lang, file=os.path.abspath(answers_path),
          command=f"{program()} diagnose {_quote(str(answers_path))} -o {_quote(str(out))}"))


def verdict_table(kb: KnowledgeBase, diagnosis: Diagnosis, lang: str, columns: int | None = None) -> str:
    """Each self-check's verdict and problems, and the problem to treat first."""
    from expert.terminal import table

    def title(finding_id: str) -> str:
        return kb.rules.findings[finding_id].text.title.get_text(lang)

    def shown(finding) -> str:  # advice is marked as such: it does not make the check less than healthy
        text = title(finding.id)
        return t("report.advice_mark", lang, title=text) if diagnosis.is_advice(finding) else text

    sep = t("answer.titles_sep", lang)
    rows = []
    titles = {}
    for section in kb.questionnaire.checks:
        titles[section.check] = section.title.get_text(lang)
        found = diagnosis.of_check(section.check)
        rows.append([titles[section.check], t(f"verdict.{diagnosis.verdicts[section.check]}", lang),
                     sep.join(shown(f) for f in found) or "-"])
    if diagnosis.cross:
        titles["cross"] = t("batch.cross", lang)
        rows.append([titles["cross"], "-", sep.join(shown(f) for f in diagnosis.cross)])
    if columns is None:
        columns = shutil.get_terminal_size((100, 24)).columns - 1
    headers = [t("interview.col_check", lang), t("interview.col_verdict", lang), t("interview.col_problems", lang)]
    text = table(headers, rows, max_width=max(columns, 40))
    first = diagnosis.first
    if first is None:
        return text + "\n\n" + t("interview.no_findings", lang)
    return text + "\n\n" + t("interview.treat_first", lang, title=title(first.id),
                             check=titles.get(first.check, first.check))
