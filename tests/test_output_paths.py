"""Writing a prescription or an answers file destroys nothing: not the input, not a link, not a device,
not the file's mode; `-o -` prints."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from expert.cli import main
from expert.errors import UsageError
from expert.files import write_atomically

from conftest import write_tree
from test_cli import ANSWERS
from test_interview import MINI_KEYS, keyboard_run


@pytest.fixture
def case(tmp_path, mini_kb, monkeypatch):
    """An answers file in the current folder, and the command that diagnoses it with the small base."""
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path, {"answers.yaml": ANSWERS})
    return ["diagnose", "answers.yaml", "--kb", str(mini_kb)]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_o_minus_prints_the_prescription(case, capsys, tmp_path):
    code, out, err = run(capsys, *case, "-o", "-")
    assert (code, err) == (0, "")
    assert out.startswith("# 城西跑团")
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("output", [
    "answers.yaml",  # the same name
    "./sub/../answers.yaml",  # another spelling
    "link.yaml",  # a symbolic link to it
    "hard.yaml",  # a hard link: the same file under another name
])
def test_the_answers_being_read_are_never_overwritten(case, capsys, tmp_path, output):
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.yaml").symlink_to("answers.yaml")
    os.link(tmp_path / "answers.yaml", tmp_path / "hard.yaml")
    before = (tmp_path / "answers.yaml").read_bytes()
    code, out, err = run(capsys, *case, "-o", output)
    assert (code, out) == (2, "")
    assert err == f"不会写进 {output}：它就是正在读的 answers.yaml，写进去会把它毁掉\n"
    assert (tmp_path / "answers.yaml").read_bytes() == before


def test_a_symbolic_link_stays_a_link_and_its_file_gets_the_text(case, capsys, tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "rx.md").write_text("old\n", encoding="utf-8")
    (tmp_path / "latest.md").symlink_to("reports/rx.md")
    assert run(capsys, *case, "-o", "latest.md")[0] == 0
    assert os.readlink(tmp_path / "latest.md") == "reports/rx.md"
    assert (tmp_path / "reports" / "rx.md").read_text(encoding="utf-8").startswith("# 城西跑团")
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["rx.md"]  # no temporary file left


def test_a_link_to_a_file_not_there_yet_creates_that_file(case, capsys, tmp_path):
    (tmp_path / "latest.md").symlink_to("rx.md")
    assert run(capsys, *case, "-o", "latest.md")[0] == 0
    assert (tmp_path / "latest.md").is_symlink()
    assert (tmp_path / "rx.md").read_text(encoding="utf-8").startswith("# 城西跑团")


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_file_gets_the_usual_mode_for_the_umask(case, capsys, tmp_path, umask, mode):
    before = os.umask(umask)
    try:
        assert run(capsys, *case, "-o", "rx.md")[0] == 0
    finally:
        os.umask(before)
    assert stat.S_IMODE((tmp_path / "rx.md").stat().st_mode) == mode


def test_a_replaced_file_keeps_its_mode(case, capsys, tmp_path):
    (tmp_path / "rx.md").write_text("old\n", encoding="utf-8")
    (tmp_path / "rx.md").chmod(0o640)
    assert run(capsys, *case, "-o", "rx.md")[0] == 0
    assert stat.S_IMODE((tmp_path / "rx.md").stat().st_mode) == 0o640
    assert (tmp_path / "rx.md").read_text(encoding="utf-8").startswith("# 城西跑团")


def test_a_fifo_is_written_to_not_replaced(case, capsys, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert run(capsys, *case, "-o", "pipe")[0] == 0
    reader.join(10)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received and received[0].decode("utf-8").startswith("# 城西跑团")


def test_dev_null_stays_a_device(case, capsys):
    assert run(capsys, *case, "-o", os.devnull)[0] == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_folder_as_output_is_a_message(case, capsys, tmp_path):
    (tmp_path / "out").mkdir()
    assert run(capsys, *case, "-o", "out") == (2, "", "写不了 out：这是一个目录，不是文件\n")


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "rx.md"
    target.write_text("old\n", encoding="utf-8")

    def fail(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, "new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["rx.md"]


# ---------------------------------------------------------------------------- the interview


def test_the_interview_saves_answers_through_a_link_and_keeps_it(mini_kb, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "answers.yaml").symlink_to("data/跑团.yaml")
    code, _ = keyboard_run(tmp_path, mini_kb, MINI_KEYS, answers_path=str(tmp_path / "answers.yaml"),
                           prescription=str(tmp_path / "rx.md"))
    assert code == 0
    assert os.readlink(tmp_path / "answers.yaml") == "data/跑团.yaml"
    assert "community_name: 城西跑团" in (tmp_path / "data" / "跑团.yaml").read_text(encoding="utf-8")


def test_the_interview_refuses_a_prescription_over_its_answers_before_asking(mini_kb, tmp_path):
    answers = tmp_path / "a.yaml"
    with pytest.raises(UsageError) as caught:
        keyboard_run(tmp_path, mini_kb, MINI_KEYS, answers_path=str(answers), prescription=str(answers))
    assert caught.value.exit_code == 2
    assert caught.value.message == f"不会写进 {answers}：它就是正在读的 {answers}，写进去会把它毁掉"
    assert not answers.exists()  # nothing was asked, nothing saved
