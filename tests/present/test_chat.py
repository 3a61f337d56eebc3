"""`qa chat`: questions one a line from stdin, follow-ups on the conversation, filters as flags and /commands."""

from typer.testing import CliRunner

from qa.present.chat import Chat, ChatState
from qa.present.cli import app
from qa.present.terminal import Terminal

runner = CliRunner()


def test_chat_reads_stdin_a_question_a_line_with_follow_ups_and_commands(assistant, shipped_settings):
    lines = [
        "How many were killed at Qa'im?",
        "And how many were injured there?",
        "/sources",
        "/since 2030-01-01",
        "How many were killed at Qa'im?",
        "/since",
        "/history",
        "/quit",
        "Which aircraft struck Abu Kamal?",
    ]
    done = runner.invoke(app, ["chat", "--index-dir", str(shipped_settings.index_dir)], input="\n".join(lines) + "\n")
    assert done.exit_code == 0, done.output
    out = done.stdout
    assert out.startswith("16") and "\n36" in out and "understood as:" in out  # the follow-up leans on the first
    assert "outlets: Press TV" in out
    assert "filters: published 2030-01-01 to now" in out and "no indexed article matches the filters" in out
    assert "filters: none (every article)" in out
    assert "2. How many were injured" in out or "2. And how many were injured" in out
    assert "F-15E" not in out  # nothing after /quit is asked


def test_chat_filters_given_as_flags_hold_and_a_bad_date_is_refused(assistant, shipped_settings):
    index = ["--index-dir", str(shipped_settings.index_dir)]
    filtered = runner.invoke(app, ["chat", *index, "--until", "2020-01-01"], input="Which aircraft struck Abu Kamal?\n")
    assert "no indexed article matches the filters (published any time to 2020-01-01)" in filtered.stdout
    bad = runner.invoke(app, ["chat", *index, "--since", "someday"], input="Which aircraft struck Abu Kamal?\n")
    assert bad.exit_code == 2 and "'since' must be a date" in bad.output


def test_a_bad_command_or_date_inside_the_chat_is_explained_and_the_chat_goes_on():
    class NoAssistant:
        def run(self, *args, **kwargs):
            raise AssertionError("nothing should be asked")

    from io import StringIO

    from rich.console import Console

    written = StringIO()
    chat = Chat(NoAssistant(), Terminal(Console(file=written, width=200)), ChatState())
    assert chat.handle("/since the day after") and chat.handle("/frobnicate") and chat.handle("   ")
    assert not chat.handle("/quit")
    text = written.getvalue()
    assert "'since' must be a date" in text and "unknown command /frobnicate" in text
    assert chat.state.since is None
