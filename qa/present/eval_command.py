"""`qa eval`: measure retrieval, answers, citations, refusals, follow-ups and speed on a question set."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from qa.settings import PROJECT_ROOT, RetrievalMode, Settings

console = Console()
err = Console(stderr=True)
IndexDir = Annotated[Path | None, typer.Option("--index-dir", help="Index folder (default: the corpus's own).")]


SHIPPED_SET = PROJECT_ROOT / "eval" / "questions.jsonl"


def evaluate(
    question_set: Annotated[Path, typer.Option("--set", help="Question file (JSONL).")] = SHIPPED_SET,
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Corpus to index (cached) and ask.")] = None,
    index_dir: IndexDir = None,
    k: Annotated[int, typer.Option("--k")] = 5,
    limit: Annotated[int | None, typer.Option("--limit", help="Only the first N questions.")] = None,
    mode: Annotated[RetrievalMode, typer.Option("--mode", help="hybrid, or a baseline.")] = RetrievalMode.HYBRID,
    adversarial: Annotated[Path | None, typer.Option("--adversarial", help="Adversarial inputs (JSONL).")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Results as JSON (default eval/out/...).")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Markdown report + plot (default eval/out/).")] = None,
    gate: Annotated[Path | None, typer.Option("--gate", help="Fail when below these thresholds (JSON).")] = None,
    dated: Annotated[
        bool,
        typer.Option(
            "--dates/--no-dates",
            help="Ask a question as of its question_date and read times it names; --no-dates: neither (baseline).",
        ),
    ] = True,
) -> None:
    """Measure retrieval, answers, citations, refusals, follow-ups and speed on a question set."""
    from qa.assistant import Assistant
    from qa.evaluation.metrics import gate_failures, metrics
    from qa.evaluation.report import print_report, write_json, write_markdown
    from qa.evaluation.runner import load_questions, run_adversarial, run_questions, set_name

    if corpus is not None and index_dir is None:
        index_dir = _cache_dir(corpus)
    settings = Settings.from_env(index_dir=index_dir, corpus_dir=corpus, question_dates=None if dated else False)
    assistant = Assistant(settings)
    if corpus is not None:
        built = assistant.reindex()
        err.print(f"index {settings.index_dir}: {built.documents} articles, {built.chunks} chunks ({built.reason})")
    if adversarial is None and set_name(question_set) == "shipped":
        adversarial = PROJECT_ROOT / "eval" / "adversarial.jsonl"
    rows = load_questions(question_set, limit)
    assistant.warm_up()
    started = time.perf_counter()
    outcomes = run_questions(assistant, rows, k=k, mode=mode, dated=dated)
    summary = metrics(outcomes, time.perf_counter() - started)
    hostile = run_adversarial(assistant, adversarial) if adversarial and adversarial.exists() else []
    print_report(summary, outcomes, hostile, console)
    name = set_name(question_set)
    stem = PROJECT_ROOT / "eval" / "out" / f"{name}-{mode.value}{'' if dated else '-undated'}"
    write_json(json_out or stem.with_suffix(".json"), summary, outcomes, hostile, settings.disclosed())
    write_markdown(report or stem.with_suffix(".md"), summary, outcomes)
    err.print(f"results: {json_out or stem.with_suffix('.json')}, report: {report or stem.with_suffix('.md')}")
    if gate:
        failed = gate_failures(summary, json.loads(gate.read_text("utf-8")), name)
        for line in failed:
            err.print(f"[red]below threshold[/red] {line}")
        if failed:
            raise typer.Exit(1)


def _cache_dir(corpus: Path) -> Path:
    from qa.evaluation.runner import cache_dir

    return cache_dir(corpus)
