"""A newcomer's route through the CLI: their own folder gets its own index, the shipped articles stay
answerable, and a question loads only what answering it needs."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from qa.present.cli import app
from qa.settings import PROJECT_ROOT

runner = CliRunner()

# Test fixture (written for these tests, not a real article): a town-paper story with a dateline.
BRIDGE = """Portville council approves new bridge

PORTVILLE, March 4, 2025 (Portville Gazette) — The Portville town council voted 7 to 2 on Tuesday to approve \
a new bridge over the Elm River, Mayor Dana Ruiz said.

The bridge will cost 12 million dollars and is expected to open in 2027, according to the engineering report.
"""


def test_indexing_a_second_folder_gives_it_its_own_index_and_keeps_the_first(tmp_path, corpus_copy, monkeypatch):
    monkeypatch.setenv("NEWSDESK_FOLDER_INDEXES_DIR", str(tmp_path / "folder-indexes"))
    mine = tmp_path / "my-folder"
    mine.mkdir()
    (mine / "bridge.txt").write_text(BRIDGE, encoding="utf-8")

    first = runner.invoke(app, ["index", str(corpus_copy), "--json"])
    second = runner.invoke(app, ["index", str(mine), "--json"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    first_index, second_index = (json.loads(r.stdout)["index_dir"] for r in (first, second))
    built = json.loads(first.stdout)  # the rate is of the embedding itself, not of the whole build
    assert built["chunks_per_second"] == pytest.approx(built["embedded_chunks"] / built["embed_seconds"], rel=0.1)
    assert first_index != second_index and json.loads(second.stdout)["removed"] == 0

    bridge = runner.invoke(app, ["ask", "How much will the bridge cost?", "--corpus", str(mine), "--json"])
    assert json.loads(bridge.stdout)["short_answer"] == "12 million dollars"
    shipped = runner.invoke(app, ["ask", "Which aircraft struck Abu Kamal?", "--corpus", str(corpus_copy), "--json"])
    assert "F-15E" in (json.loads(shipped.stdout)["short_answer"] or "")

    info = json.loads(runner.invoke(app, ["info", "--corpus", str(mine), "--json"]).stdout)
    assert info["corpus"] == str(mine.resolve()) and info["documents"] == 1
    assert str(corpus_copy.resolve()) in [item["corpus"] for item in info["other_indexes"]]


def test_an_index_of_another_folder_is_not_replaced_without_replace(tmp_path, corpus_copy):
    index_dir = str(tmp_path / "index")
    mine = tmp_path / "my-folder"
    mine.mkdir()
    (mine / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    assert runner.invoke(app, ["index", str(corpus_copy), "--index-dir", index_dir]).exit_code == 0

    refused = runner.invoke(app, ["index", str(mine), "--index-dir", index_dir])
    assert refused.exit_code == 1 and "would drop them" in refused.output and "--replace" in refused.output
    kept = json.loads(runner.invoke(app, ["info", "--index-dir", index_dir, "--json"]).stdout)
    assert kept["documents"] == 2

    replaced = runner.invoke(app, ["index", str(mine), "--index-dir", index_dir, "--replace", "--json"])
    assert replaced.exit_code == 0 and json.loads(replaced.stdout)["documents"] == 1


def test_a_question_loads_neither_torch_nor_transformers_nor_spacy(assistant, shipped_settings):
    """The question encoder and the reader run under ONNX Runtime: `qa ask` needs none of the heavy
    libraries (their import alone costs more than the answer), and prints no third-party progress bar."""
    heavy = ("torch", "transformers", "sentence_transformers", "spacy")
    argv = ["qa", "ask", "How many were killed at Qa'im?", "--index-dir", str(shipped_settings.index_dir)]
    script = (
        "import sys, json\n"
        "from qa.present.cli import app\n"
        f"sys.argv = {argv!r}\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps([name for name in {heavy!r} if name in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    *answer, loaded = done.stdout.strip().splitlines()
    assert json.loads(loaded) == [] and answer[0].startswith("16")
    assert "Loading weights" not in done.stderr and "Warning" not in done.stderr
