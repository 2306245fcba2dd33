"""One family of errors: each carries the message a user reads and the exit code the CLI returns."""

from __future__ import annotations

from expert.records import record


@record(frozen=True)
class Problem:
    """One thing wrong with one input, located as precisely as we know."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    subject: str | None = None  # a question, rule or finding id, or a row
    level: str = "error"  # "error" or "warning"

    @property
    def where(self) -> str:
        parts = [self.file or ""]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(p for p in parts if p)

    def __str__(self) -> str:
        head = self.where
        if self.subject:
            head = f"{head} [{self.subject}]" if head else f"[{self.subject}]"
        return f"{head}: {self.message}" if head else self.message


class ShequnError(Exception):
    """Base of every error a user may see; `message` is what they read."""

    exit_code = 1

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message] + [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class KnowledgeBaseError(ShequnError):
    """The knowledge base (questionnaire, rules, templates) cannot be used as it is."""

    exit_code = 2
    unreadable = False  # True when a file could not even be read or parsed


class AnswersError(ShequnError):
    """An answers file is unreadable or its answers do not fit the questionnaire."""

    exit_code = 2


class ExportError(ShequnError):
    """The knowledge base cannot be written in another tool's format (a condition that format cannot say)."""

    exit_code = 2


class UsageError(ShequnError):
    """The command was called in a way it cannot work (missing file, not a terminal ...)."""

    exit_code = 2


class Interrupted(ShequnError):
    """The operator pressed Ctrl-C, or the command was told to stop (SIGTERM); what was done has been kept.

    The exit code is 128 + the signal's number, as a shell reports it: 130 for Ctrl-C, 143 for SIGTERM."""

    exit_code = 130

    def __init__(self, message: str, problems: list[Problem] | None = None, *, exit_code: int | None = None):
        super().__init__(message, problems)
        if exit_code is not None:
            self.exit_code = exit_code
