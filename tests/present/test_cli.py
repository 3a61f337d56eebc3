import json

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
    assert data["short_answer"] == "85" and data["citations"][0]["title"].startswith("Iraq’s resistance groups")

    shown = runner.invoke(app, ["ask", question, "--index-dir", index_dir])
    assert "**85**" in shown.stdout and "[1] Iraq’s resistance groups slam US airstrikes" in shown.stdout

    info = runner.invoke(app, ["info", "--index-dir", index_dir, "--json"])
    assert json.loads(info.stdout)["documents"] == 2


def test_empty_question_exits_with_a_message(tmp_path):
    result = runner.invoke(app, ["ask", "  ", "--index-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "empty" in result.output


def test_info_without_an_index_says_how_to_build_one(tmp_path):
    result = runner.invoke(app, ["info", "--index-dir", str(tmp_path / "none")])
    assert result.exit_code == 1 and "qa index" in result.output
