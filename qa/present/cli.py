"""The `qa` command: index a corpus, ask questions, inspect the index, evaluate."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from qa.normalise import strip_controls
from qa.offline import go_offline
from qa.settings import PROJECT_ROOT, RetrievalMode

go_offline()
T = TypeVar("T")
app = typer.Typer(add_completion=False, no_args_is_help=True, help="Ask questions of a folder of news articles.")
console = Console()
err = Console(stderr=True)

IndexDir = Annotated[Path | None, typer.Option("--index-dir", help="Index folder (default: ./index).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def printable(text: str) -> str:
    """`text` without control characters, so an article cannot drive the terminal."""
    return strip_controls(text)


def safe(text: str) -> str:
    """`text` printable and with rich's markup escaped, for lines that also carry our own styling."""
    return escape(printable(text))


def _or_exit(work: Callable[[], T]) -> T:
    """`work()`, or its InvalidQuestion as a message and exit status 2 (another newsdesk error: status 1)."""
    from qa.errors import InvalidQuestion, NewsdeskError

    try:
        return work()
    except InvalidQuestion as error:
        err.print(f"[red]{safe(str(error))}[/red]")
        raise typer.Exit(2) from None
    except NewsdeskError as error:
        err.print(f"[red]{safe(str(error))}[/red]")
        raise typer.Exit(1) from None


def _require_index(settings, index_dir: Path | None, corpus: Path | None) -> None:
    """An --index-dir with no index in it is an error (not a quiet build) unless a corpus is given."""
    from qa.index.store import read_manifest

    folder_backend = settings.backend == "faiss"  # with Milvus the folder only names the collections
    if folder_backend and index_dir is not None and corpus is None and read_manifest(settings.index_dir) is None:
        where = safe(str(index_dir))
        err.print(f"no index in {where}: build one with `qa index CORPUS --index-dir {where}`")
        raise typer.Exit(1)


def _where(settings) -> str:
    """Where the index lives, for messages: its folder, or its Milvus server and collections."""
    if settings.backend == "milvus":
        from qa.index.milvus import collection_prefix

        return f"Milvus at {settings.milvus_uri}, collections {collection_prefix(settings)}_*"
    return str(settings.index_dir)


def _settings(**overrides: object):
    from qa.settings import Settings

    return Settings.from_env(**overrides)


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")


@app.command()
def index(
    corpus: Annotated[Path | None, typer.Argument(help="File or folder of articles (default: ./corpus).")] = None,
    index_dir: IndexDir = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-embed everything.")] = False,
    as_json: AsJson = False,
) -> None:
    """Build or update the index: new and changed articles are embedded, removed ones dropped."""
    from qa.index.builder import Indexer

    settings = _settings(index_dir=index_dir, corpus_dir=corpus)
    report = _or_exit(lambda: Indexer(settings).run(settings.corpus_dir, rebuild=rebuild, progress=not as_json))
    for problem in report.problems:
        err.print(f"[yellow]warning[/yellow] {safe(str(problem))}")
    for rejected in report.rejected:
        err.print(f"[yellow]moved aside[/yellow] {safe(str(rejected))}")
    if report.leftovers:
        err.print(f"removed leftovers of interrupted builds: {safe(', '.join(report.leftovers))}")
    summary = {
        "documents": report.documents,
        "chunks": report.chunks,
        "added": report.added,
        "changed": report.changed,
        "removed": report.removed,
        "unchanged": report.unchanged,
        "embedded_chunks": report.embedded_chunks,
        "seconds": round(report.seconds, 2),
        "chunks_per_second": round(report.chunks_per_second, 1),
        "mode": report.reason,
        "skipped": [str(p) for p in report.problems],
        "rejected": [{"file": r.name, "reason": r.reason, "moved_to": str(r.path)} for r in report.rejected],
        "duplicates": report.duplicates,
        "leftovers_removed": report.leftovers,
        "index_dir": str(settings.index_dir),
        "index": _where(settings),
    }
    if as_json:
        print(json.dumps(summary, indent=1))
        return
    console.print(
        f"[bold]Indexed {report.documents} articles[/bold] into {report.chunks} chunks in {report.seconds:.1f}s "
        f"({report.reason}): {report.added} new, {report.changed} changed, {report.removed} removed, "
        f"{report.unchanged} unchanged; {report.embedded_chunks} chunks embedded"
        + (f" at {report.chunks_per_second:.0f} chunks/s" if report.embedded_chunks else "")
        + f". Skipped {len(report.problems)} file(s). Index: {safe(_where(settings))}"
    )


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    index_dir: IndexDir = None,
    corpus: Annotated[
        Path | None, typer.Option("--corpus", help="Articles to index into --index-dir first (only new ones are).")
    ] = None,
    k: Annotated[int, typer.Option("--k", help="Passages to retrieve.")] = 5,
    since: Annotated[
        str | None, typer.Option("--since", help="Only articles published on or after (2024-02-01).")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="Only articles published on or before.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Answer as on this day: nothing published later.")
    ] = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Only articles from this outlet (repeatable).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Answer a question from the indexed articles, with numbered sources."""
    from qa.assistant import Assistant, check_question

    settings = _settings(index_dir=index_dir, corpus_dir=corpus)
    _or_exit(lambda: check_question(question, settings.max_question_chars))
    _require_index(settings, index_dir, corpus)
    assistant = Assistant(settings)
    if corpus is not None:
        _or_exit(assistant.reindex)
    answer = _or_exit(lambda: assistant.run(question, k=k, since=since, until=until, as_of=as_of, sources=source))
    if as_json:
        print(json.dumps(answer.to_dict(), indent=1, ensure_ascii=False))
        return
    console.print(printable(answer.text), markup=False, highlight=False)
    if answer.resolved_question:
        console.print(f"(understood as: {safe(answer.resolved_question)})", style="dim")
    if answer.dates_read:
        console.print(f"(read {safe(answer.dates_read)})", style="dim")
    for citation in answer.citations:
        meta = ", ".join(part for part in (citation.source, citation.date) if part)
        heading = safe(citation.title + (f" — {meta}" if meta else ""))
        console.print(f"\n[bold]\\[{citation.number}][/bold] {heading}")
        console.print(f"    “{printable(citation.sentence)}”", style="italic", markup=False, highlight=False)
    if not answer.answered and answer.refusal_reason:
        console.print(f"(why: {safe(answer.refusal_reason)})", style="dim")
    if not answer.answered and answer.related:
        console.print("\nRelated (not sources):", style="dim")
        for passage in answer.related[:3]:
            line = f"  - {passage.document.title}: {passage.text[:160]}…"
            console.print(printable(line), style="dim", markup=False, highlight=False)


@app.command()
def timeline(
    topic: Annotated[str, typer.Argument(help='What to follow, e.g. "What happened at Qa\'im?"')],
    index_dir: IndexDir = None,
    since: Annotated[str | None, typer.Option("--since", help="Only articles published on or after.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Only articles published on or before.")] = None,
    source: Annotated[list[str] | None, typer.Option("--source", help="Only this outlet (repeatable).")] = None,
    as_json: AsJson = False,
) -> None:
    """What the articles report on a topic, one cited sentence per article, oldest first."""
    from qa.assistant import Assistant

    settings = _settings(index_dir=index_dir)
    _require_index(settings, index_dir, None)
    answer = _or_exit(lambda: Assistant(settings).timeline(topic, since=since, until=until, sources=source))
    if as_json:
        print(json.dumps(answer.to_dict(), indent=1, ensure_ascii=False))
        return
    console.print(printable(answer.text), markup=False, highlight=False)
    for citation in answer.citations:
        console.print(f"[bold]\\[{citation.number}][/bold] {safe(citation.title)}")


@app.command()
def info(index_dir: IndexDir = None, as_json: AsJson = False) -> None:
    """Show what the index holds: articles, chunks, model, age, and whether the corpus changed since."""
    from qa.errors import NewsdeskError
    from qa.index.backend import open_index

    settings = _settings(index_dir=index_dir)
    try:
        index = open_index(settings)
    except NewsdeskError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    from qa.index.builder import describe

    data = describe(index, settings.index_dir)
    from qa.ingest.rejects import rejected_files

    data["rejected"] = [f"{r.name}: {r.reason}" for r in rejected_files(settings.rejected_folder)]
    if as_json:
        print(json.dumps(data, indent=1))
        return
    for key, value in data.items():
        console.print(f"[bold]{key}[/bold]: {safe(str(value))}")
    if any(data["changes"].values()):
        console.print("[yellow]The corpus changed since this index was built: run `qa index`.[/yellow]")


SHIPPED_SET = PROJECT_ROOT / "eval" / "questions.jsonl"


@app.command(name="eval")
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
    settings = _settings(index_dir=index_dir, corpus_dir=corpus, question_dates=None if dated else False)
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


if __name__ == "__main__":
    sys.exit(app())
