"""A knowledge base of one's own: the built-in one copied into a folder the operator owns, to edit.

Design: copy, do not generate. Everything `--kb DIR` reads (the questionnaire, rules with policy.yaml,
actions, templates) goes across byte for byte, with the golden cases an edit is checked against
(examples/) and the JSON Schemas that each file's first line names. That line is relative
(`# yaml-language-server: $schema=../schemas/rules.schema.json`), so the same bytes resolve in the
repository, in the installed package (which ships schemas/ beside the files for this reason) and in
the copy; rewriting it would make the copy differ from what `shequn check` was run on. A folder that
already holds something is refused unless `force`: our files would mix with files we did not write.
"""

from __future__ import annotations

import os
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

from expert.terminal import program
from expert.errors import UsageError
from expert.files import reason
from expert.knowledge import builtin_dir
from expert.messages import t

# what a copy holds, in the order a newcomer reads it
PARTS = ("questionnaires", "rules", "actions", "templates", "examples", "schemas")
SUFFIXES = (".yaml", ".j2", ".json")


@dataclass
class Copied:
    """What `copy_knowledge_base` wrote: files per part, and an example to diagnose first."""

    root: Path
    counts: dict[str, int]
    example: Path | None


def copy_knowledge_base(dest: str | Path, force: bool = False, source: str | Path | None = None) -> Copied:
    """Copy the built-in knowledge base (or `source`) into `dest`, made if it does not exist.

    Raises UsageError when `dest` is a file, holds something already (unless `force`; then our files
    replace theirs of the same name and the others stay), is the source itself, or cannot be written."""
    src = Path(source) if source is not None else builtin_dir()
    dest = Path(dest)
    if dest.exists() or dest.is_symlink():
        if not dest.is_dir():
            raise UsageError(t("init.not_a_folder", dir=dest))
        if _same(dest, src):
            raise UsageError(t("init.is_the_source", dir=dest))
        try:
            present = sorted(os.listdir(dest))
        except OSError as exc:
            raise UsageError(t("init.cannot_write", dir=dest, reason=reason(exc))) from None
        if present and not force:
            shown = t("answer.list_sep").join(present[:5]) + ("…" if len(present) > 5 else "")
            raise UsageError(t("init.not_empty", dir=dest, n=len(present), names=shown))
    counts: dict[str, int] = {}
    try:
        for part in PARTS:
            files = sorted(p for p in (src / part).glob("*") if p.is_file() and p.suffix in SUFFIXES)
            if not files:
                continue
            (dest / part).mkdir(parents=True, exist_ok=True)
            for path in files:
                shutil.copyfile(path, dest / part / path.name)
            counts[part] = len(files)
    except OSError as exc:
        where = exc.filename or dest
        raise UsageError(t("init.cannot_write", dir=where, reason=reason(exc))) from None
    examples = sorted((dest / "examples").glob("*.yaml"))
    return Copied(dest, counts, examples[0] if examples else None)


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):
        return False


def shell_word(word: str) -> str:
    """Quoted for a shell only when it must be: a Chinese folder name is typed and pasted as it is."""
    if word and all(ch.isalnum() or ch in "@%+=:,./-_" for ch in word):
        return word
    return shlex.quote(word)


def next_steps(copied: Copied, typed: str, lang: str | None = None) -> str:
    """What `shequn init` says when done: what was copied, and the commands to run next."""
    parts = [t(f"init.part_{part}", lang, n=n) for part, n in copied.counts.items()]
    kb = shell_word(typed)
    lines = [t("init.done", lang, dir=typed, parts=t("answer.list_sep_plain", lang).join(parts)), "",
             t("init.next", lang), f"  {program()} check --kb {kb}"]
    if copied.example is not None:
        example = shell_word(os.path.join(typed, "examples", copied.example.name))
        lines.append(f"  {program()} diagnose --kb {kb} {example}")
    lines += ["", t("init.after_edit", lang, kb=kb, program=program())]
    return "\n".join(lines) + "\n"
