import json

from conftest import TARGETS_STRUCK
from typer.testing import CliRunner

from qa.present.cli import app

runner = CliRunner()


def test_index_ask_info_round_trip(tmp_path, corpus_copy):
    index_dir = str(tmp_path / "index")
    built = runner.invoke(app, ["index", str(corpus_copy), "--index-dir", index_dir, "--json"])
    assert built.exit_code == 0, built.output
    assert json.loads(built.stdout)["documents"] == 2

    question = "How many targets did CENTCOM say US forces struck?"
    asked = runner.invoke(app, ["ask", question, "--index-dir", index_dir, "--json"])
    data = json.loads(asked.stdout)
    assert data["short_answer"] in TARGETS_STRUCK and data["citations"][0]["title"].startswith(
        "Iraq’s resistance groups"
    )

    shown = runner.invoke(app, ["ask", question, "--index-dir", index_dir])
    assert (
        shown.stdout.startswith(data["short_answer"])  # piped: plain text, no markdown
        and "**" not in shown.stdout
        and "[1] Iraq’s resistance groups slam US airstrikes" in shown.stdout
    )

    filtered = runner.invoke(app, ["ask", question, "--index-dir", index_dir, "--since", "2030-01-01"])
    assert "no indexed article matches the filters (published 2030-01-01 to now)" in filtered.stdout
    bad = runner.invoke(app, ["ask", question, "--index-dir", index_dir, "--until", "someday"])
    assert bad.exit_code == 2 and "'until' must be a date" in bad.output

    info = runner.invoke(app, ["info", "--index-dir", index_dir, "--json"])
    assert json.loads(info.stdout)["documents"] == 2


def test_empty_question_exits_with_a_message(tmp_path):
    result = runner.invoke(app, ["ask", "  ", "--index-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "empty" in result.output


def test_info_without_an_index_says_how_to_build_one(tmp_path):
    result = runner.invoke(app, ["info", "--index-dir", str(tmp_path / "none")])
    assert result.exit_code == 1 and "qa index" in result.output


def test_ask_with_an_index_dir_that_holds_no_index_is_an_error_not_a_quiet_build(tmp_path):
    result = runner.invoke(app, ["ask", "Which aircraft struck Abu Kamal?", "--index-dir", str(tmp_path / "none")])
    assert result.exit_code == 1 and "no index in" in result.output and "qa index" in result.output
    assert not (tmp_path / "none").exists()


def test_terminal_control_sequences_from_articles_are_not_printed():
    from qa.present.terminal import printable, safe

    hostile = "Title\x1b]0;owned\x07 with \x1b[2Jclear, \u202eevil and [bold]markup[/bold]\nnext line\tok"
    assert printable(hostile) == "Title]0;owned with [2Jclear, evil and [bold]markup[/bold]\nnext line\tok"
    assert "\\[bold]" in safe(hostile)
