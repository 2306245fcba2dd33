"""The interview's prompts: a choice list, a checklist and a typed line, drawn to fit the terminal.

questionary and prompt_toolkit are imported here and in expert/interview.py only. What a prompt asks
and how an answer is judged is the interview's business; here is how it looks and which keys do what:
every line wraps (CJK-width aware) down to 40 columns, the entries "why is this asked?" and "previous
question" act on Enter and are never ticked, a default is replaced by what is typed, and pasted lines
stay one answer.
"""

from __future__ import annotations

import shutil
import unicodedata
from typing import Any, Callable

import questionary
from prompt_toolkit.application import get_app
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition, to_filter
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
from prompt_toolkit.layout.dimension import Dimension
from prompt_toolkit.selection import SelectionType
from prompt_toolkit.shortcuts.prompt import PromptSession
from questionary import Choice, Separator
from questionary.prompts.common import InquirerControl, build_validator
from questionary.styles import merge_styles_default

from expert.questionnaire import one_line
from expert.terminal import wrap, wrap_fragments


class Entry:
    """A list entry that is not an answer: why is this asked, previous question, leave it empty."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


HELP = Entry("help")
BACK = Entry("back")
SKIP = Entry("skip")
ACTIONS = (HELP, BACK)  # they act on Enter; SKIP is an answer (left empty) and is chosen like one

MIN_COLUMNS = 40
Check = Callable[[Any], "bool | str"]  # True, or the message shown under the prompt


def key(text: str) -> str:
    """What a typed line means as a key: a Chinese input method types full-width ？ and ＜ (or 《 for
    Shift+,); they mean the same as ? and <."""
    typed = unicodedata.normalize("NFKC", text.strip())
    return "<" if typed == "《" else typed


class Prompter:
    """Builds and runs one prompt at a time. `input` and `output` go to prompt_toolkit (tests give a pipe
    input and a dummy output); each method returns the answer or an Entry (with what was ticked so far)."""

    def __init__(self, input: Any = None, output: Any = None):
        self.io = {k: v for k, v in (("input", input), ("output", output)) if v is not None}
        self.output = output
        # a person types one key at a time, a paste arrives at once; a test's pipe sends every answer at once
        self.paste_guard = input is None

    def columns(self) -> int:
        """The terminal's width now, less one column: a line that fills the last column makes some
        terminals wrap an empty line after it."""
        if self.output is not None:
            total = self.output.get_size().columns
        else:
            total = shutil.get_terminal_size((80, 24)).columns
        return max(total, MIN_COLUMNS // 2) - 1

    # ------------------------------------------------------------------ the three prompts

    def choose(self, progress: str, text: str, hint: str, options: list[tuple[str, Any]], default: Any,
               extras: list[tuple[str, Any]]) -> Any:
        """One of `options`, or one of `extras` (SKIP, HELP, BACK) listed below them."""
        values = [value for _, value in options]
        choices: list[Any] = [Choice(title, value) for title, value in options]
        choices += [Choice(title, value) for title, value in extras if value is SKIP]
        choices.append(Separator(" "))
        choices += [Choice(title, value) for title, value in extras if value is not SKIP]
        message, instruction = self._message(progress, text, hint)
        prompt = questionary.select(message, choices, default=default if default in values else None,
                                    qmark=progress, instruction=instruction, erase_when_done=True, **self.io)
        let_lines_wrap(prompt.application)
        return prompt.unsafe_ask()

    def tick(self, progress: str, text: str, hint: str, options: list[tuple[str, Any]], ticked: list[Any],
             extras: list[tuple[str, Any]], check: Check) -> Any:
        """The options ticked (a list), or (HELP or BACK, the options ticked so far).

        questionary's checkbox treats every entry as an option: Enter on "previous question" would
        submit the ticks, Space would tick it. Here Enter or Space on an action acts, and Enter elsewhere
        submits only the options."""
        choices: list[Any] = [Choice(title, value, checked=value in ticked) for title, value in options]
        choices.append(Separator(" "))
        action_titles = {}
        for title, value in extras:
            action_titles[value] = [("class:text", title)]
            choices.append(Choice(action_titles[value], value))
        message, instruction = self._message(progress, text, hint)
        prompt = questionary.checkbox(message, choices, validate=self._wrapped(check), qmark=progress,
                                      instruction=instruction, erase_when_done=True, **self.io)
        app = prompt.application
        ic = next(w.content for w in app.layout.find_all_windows() if isinstance(w.content, InquirerControl))
        options_only = [value for _, value in options]

        def chosen() -> list[Any]:
            return [v for v in options_only if v in ic.selected_options]

        on_action = Condition(lambda: ic.get_pointed_at().value in ACTIONS)
        keys = KeyBindings()

        @keys.add(Keys.ControlM, eager=True)
        @keys.add(" ", eager=True, filter=on_action)
        def _enter(event) -> None:
            pointed = ic.get_pointed_at().value
            if pointed is HELP:
                event.app.exit(result=(HELP, chosen()))
            elif pointed is BACK:
                event.app.exit(result=(BACK, chosen()))
            else:
                ic.submission_attempted = True
                verdict = self._wrapped(check)(chosen())
                if verdict is True:
                    ic.error_message = None
                    ic.is_answered = True
                    event.app.exit(result=chosen())
                else:
                    ic.error_message = FormattedText([("class:validation-toolbar", str(verdict))])

        @keys.add("a", eager=True)
        def _all(event) -> None:  # every option, or none when all are ticked; never an action
            ic.selected_options = [] if len(chosen()) == len(options_only) else list(options_only)

        @keys.add("i", eager=True)
        def _invert(event) -> None:
            ic.selected_options = [v for v in options_only if v not in ic.selected_options]

        app.key_bindings = merge_key_bindings([app.key_bindings, keys])  # the later binding wins
        _no_tick_box(ic, action_titles)
        let_lines_wrap(app)
        return prompt.unsafe_ask()

    def type_in(self, progress: str, text: str, hint: str, default: str, check: Check) -> str:
        """A line typed in; `default` is shown selected, so typing replaces it and Enter keeps it."""

        def tokens():  # drawn again at every render, so a resized terminal gets lines of its new width
            columns = self.columns()
            question = wrap_fragments([("class:qmark", progress), ("class:question", f" {text}")], columns)
            return [*question, ("", "\n"), ("class:instruction", "\n".join(wrap(hint, columns))),
                    ("", "\n"), ("class:answer", "› ")]

        session: PromptSession = PromptSession(
            tokens, style=merge_styles_default([None]), validator=build_validator(self._wrapped(check)),
            validate_while_typing=False, erase_when_done=True, multiline=False, reserve_space_for_menu=0,
            key_bindings=_one_line_keys(self.paste_guard), **self.io)
        session.default_buffer.reset(Document(default))
        app = session.app
        if default:
            app.pre_run_callables.append(lambda: _select_all(session.default_buffer))
        for window in app.layout.find_all_windows():  # a message goes right under the line, not to the screen's foot
            if isinstance(window.content, BufferControl) and window.content.buffer is session.default_buffer:
                window.dont_extend_height = to_filter(True)
        let_lines_wrap(app)
        return questionary.Question(app).unsafe_ask()

    # ------------------------------------------------------------------ fitting the text to the terminal

    def _lines(self, progress: str, text: str, hint: str) -> tuple[str, str]:
        """The question after its progress tag and the hint below it, each wrapped to the terminal."""
        columns = self.columns()
        return "\n".join(wrap(f"{progress} {text}", columns)), "\n".join(wrap(hint, columns))

    def _wrapped(self, check: Check) -> Check:
        """The check, its message wrapped like the question (prompt_toolkit would break 1,000 in two)."""
        def wrapped(value: Any) -> bool | str:
            verdict = check(value)
            return verdict if verdict is True or verdict is False else "\n".join(wrap(str(verdict), self.columns()))
        return wrapped

    def _message(self, progress: str, text: str, hint: str) -> tuple[str, str]:
        """questionary's message and instruction for a list prompt: it writes `qmark message instruction`
        on one line; here the question wraps at word and character boundaries and the hint has a line of
        its own (prompt_toolkit would cut both at the terminal's edge or break an English word)."""
        question, instruction = self._lines(progress, text, hint)
        return question[len(progress):].lstrip(" "), "\n" + instruction


def let_lines_wrap(app) -> None:
    """prompt_toolkit draws the lines above a prompt's input, the choices and the message under them in
    windows that cut a long line at the terminal's edge (the message's window is one line high): let them
    all wrap instead, however narrow the terminal."""
    for window in app.layout.find_all_windows():
        window.wrap_lines = to_filter(True)
        if isinstance(window.content, FormattedTextControl) and window.height == 1:
            window.height = Dimension(min=1)
            window.dont_extend_height = to_filter(True)


def _no_tick_box(ic: InquirerControl, action_titles: dict[Any, list]) -> None:
    """Draw the actions without the ○ of an option: they are not something to tick."""
    draw = ic.text
    titles = [title[0] for title in action_titles.values()]

    def tokens():
        out = list(draw())
        for i in range(len(out) - 1):
            if any(out[i + 1] is t for t in titles):
                out[i] = ("class:text", "")
        return out

    ic.text = tokens


def _select_all(buffer) -> None:
    """The default selected as a word processor selects a field: typing replaces it, Backspace removes it,
    an arrow key keeps it for editing (prompt_toolkit's "shift selection" does just that)."""
    buffer.cursor_position = 0
    buffer.start_selection(selection_type=SelectionType.CHARACTERS)
    buffer.cursor_position = len(buffer.text)
    if buffer.selection_state is not None:
        buffer.selection_state.enter_shift_mode()


def _one_line_keys(guard_enter: bool) -> KeyBindings:
    """A pasted paragraph stays one answer. With bracketed paste the terminal says where a paste begins
    and ends: its line breaks become spaces. Without it, a paste arrives as keys, Enter among them: an
    Enter with more typed characters already waiting behind it is part of a paste, not the operator's."""
    keys = KeyBindings()

    def pasting() -> bool:
        waiting = get_app().key_processor.input_queue
        return any(isinstance(k.key, str) and len(k.key) == 1 and k.key.isprintable() for k in waiting)

    @keys.add(Keys.BracketedPaste, eager=True)
    def _paste(event) -> None:
        buffer = event.current_buffer
        if buffer.selection_state is not None:
            buffer.cut_selection()
        text = one_line(event.data)
        if text:
            buffer.insert_text(text)

    @keys.add(Keys.ControlM, eager=True, filter=Condition(pasting) & to_filter(guard_enter))
    @keys.add(Keys.ControlJ, eager=True, filter=Condition(pasting) & to_filter(guard_enter))
    def _line_break_in_paste(event) -> None:
        buffer = event.current_buffer
        if buffer.selection_state is not None:
            buffer.cut_selection()
        if buffer.text and not buffer.text.endswith(" "):
            buffer.insert_text(" ")

    return keys
