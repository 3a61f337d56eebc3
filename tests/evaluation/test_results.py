"""docs/results.md is written from `qa eval` outputs: every figure in it comes from a run's JSON. The run
here is a test fixture (a made-up summary and three outcomes), not a measurement."""

from __future__ import annotations

import json
import sys

from qa.settings import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "eval"))
import results  # noqa: E402


def _outcome(kind: str, contained: bool) -> dict:
    return {"expected": ["x"], "type": kind, "contained": contained}


def test_a_run_becomes_a_section_with_its_figures_and_plots(tmp_path, monkeypatch):
    runs, docs = tmp_path / "out", tmp_path / "docs"
    runs.mkdir()
    summary = {
        "questions": 3,
        "retrieval": {"recall@5": 0.75},
        "answers": {"exact_match": 0.5, "f1": 0.625, "contained": 2 / 3},
        "refusals": {"false_refusal_rate": 0.125},
        "speed": {"retrieval_ms": {"p50": 2.0, "p95": 3.0}, "total_ms": {"p50": 40.0, "p95": 90.5}},
    }
    outcomes = [_outcome("number", True), _outcome("number", False), _outcome("place", True)]
    (runs / "demo-hybrid.json").write_text(json.dumps({"summary": summary, "questions": outcomes}), "utf-8")
    monkeypatch.setattr(results, "DOCS", docs)
    monkeypatch.setattr(sys, "argv", ["results.py", "--runs", str(runs), "--out", str(docs / "results.md")])
    docs.mkdir()
    results.main()
    text = (docs / "results.md").read_text("utf-8")
    assert "## demo-hybrid" in text and "| gold article in the top 5 passages | 0.750 |" in text
    assert "| an accepted answer contained in the answer | 0.667 |" in text and "| 40.0 / 90.5 |" in text
    assert (docs / "figures" / "demo-hybrid-types.png").stat().st_size > 1000
    assert "figures/demo-hybrid-latency.png" in text
