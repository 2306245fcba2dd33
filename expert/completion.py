"""Shell completion scripts, generated from the command line's own parser by shtab, so that a new
command or option is completed as soon as it exists, in bash, zsh and fish alike.
"""

from __future__ import annotations

import argparse

# what an option or argument names, by its dest: shtab then completes file or folder names there
FILES = {"answers", "output", "input", "since"}
FOLDERS = {"kb", "out_dir", "dir"}


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script for `shell` (bash, zsh or fish)."""
    import shtab

    for action in _actions(parser):
        if action.dest in FILES:
            action.complete = shtab.FILE
        elif action.dest in FOLDERS:
            action.complete = shtab.DIRECTORY
    script = shtab.complete(parser, shell=shell)
    return script if script.endswith("\n") else script + "\n"


def _actions(parser: argparse.ArgumentParser):
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _actions(sub)
