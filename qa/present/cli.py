"""The `qa` command: index a folder of articles, ask questions or chat about them, inspect an index, evaluate.

Each corpus folder has its own index (see `qa.settings.index_dir_for`). Heavy libraries are imported inside
the commands that use them, so a question pays only for what answering it needs.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from qa.offline import go_offline, quiet_libraries
from qa.present.eval_command import evaluate
from qa.present.index_views import index_summary, info_rows
from qa.present.terminal import Terminal, safe

go_offline()
T = TypeVar("T")
app = typer.Typer(add_completion=False, no_args_is_help=True, help="Ask questions of a folder of news articles.")
console = Console(highlight=False)
err = Console(stderr=True, highlight=False)

IndexDir = Annotated[
    Path | None, typer.Option("--index-dir", help="Index folder (default: the corpus folder's own index).")
]
Corpus = Annotated[
    Path | None,
    typer.Option("--corpus", help="Ask this folder's articles (its index is built first if it has none)."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
Since = Annotated[str | None, typer.Option("--since", help="Only articles published on or after (2024-02-01).")]
Until = Annotated[str | None, typer.Option("--until", help="Only articles published on or before.")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="Answer as on this day: nothing published later.")]
Sources = Annotated[list[str] | None, typer.Option("--source", help="Only articles from this outlet (repeatable).")]
K = Annotated[int, typer.Option("--k", help="Passages to retrieve.")]
app.command(name="eval")(evaluate)


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


def _settings(**overrides: object):
    from qa.settings import Settings

    return _or_exit(lambda: Settings.from_env(**overrides))


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
        from qa.index.milvus_connection import collection_prefix

        return f"Milvus at {settings.milvus_uri}, collections {collection_prefix(settings)}_*"
    return str(settings.index_dir)


def _assistant(settings, corpus: Path | None):
    """An Assistant over the settings' index; with `corpus`, that folder's new articles are indexed first."""
    from qa.assistant import Assistant

    assistant = Assistant(settings)
    if corpus is not None:
        _or_exit(assistant.reindex)
    return assistant


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")
    if not verbose:
        quiet_libraries()


@app.command()
def index(
    corpus: Annotated[Path | None, typer.Argument(help="File or folder of articles (default: ./corpus).")] = None,
    index_dir: IndexDir = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-embed everything.")] = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="Let --index-dir replace an index of another folder.")
    ] = False,
    engine: Annotated[
        str | None, typer.Option("--engine", help="local, or ray: split and embed on a Ray cluster into Milvus.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Build or update a folder's index: new and changed articles are embedded, removed ones dropped."""
    settings = _settings(index_dir=index_dir, corpus_dir=corpus, engine=engine)
    if settings.engine == "ray":
        from qa.index.ray_backfill import RayBackfill

        work = _or_exit(lambda: RayBackfill(settings))
        report = _or_exit(lambda: work.run(settings.corpus_dir, rebuild=rebuild, progress=not as_json))
    else:
        from qa.index.builder import Indexer

        work = Indexer(settings)
        report = _or_exit(lambda: work.run(settings.corpus_dir, rebuild=rebuild, progress=not as_json, replace=replace))
    for problem in report.problems:
        err.print(f"[yellow]warning[/yellow] {safe(str(problem))}")
    for rejected in report.rejected:
        err.print(f"[yellow]moved aside[/yellow] {safe(str(rejected))}")
    if report.leftovers:
        err.print(f"removed leftovers of interrupted builds: {safe(', '.join(report.leftovers))}")
    if as_json:
        print(json.dumps(index_summary(report, settings, _where(settings)), indent=1))
        return
    terminal = Terminal(console)
    rate = f" in {report.embed_seconds:.1f}s ({report.chunks_per_second:.1f} chunks/s)" * bool(report.embedded_chunks)
    terminal.line(
        f"Indexed {report.documents} articles of {settings.corpus_dir} into {report.chunks} chunks in "
        f"{report.seconds:.1f}s ({report.reason}): {report.added} new, {report.changed} changed, {report.removed} "
        f"removed, {report.unchanged} unchanged; {report.embedded_chunks} chunks embedded{rate}. "
        f"Skipped {len(report.problems)} file(s)."
    )
    terminal.line(f"Index: {_where(settings)}")
    if corpus is not None and index_dir is None:
        terminal.line(f'Ask it: qa ask --corpus {corpus} "your question"  (or: qa chat --corpus {corpus})', "dim")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    corpus: Corpus = None,
    index_dir: IndexDir = None,
    k: K = 5,
    since: Since = None,
    until: Until = None,
    as_of: AsOf = None,
    source: Sources = None,
    as_json: AsJson = False,
) -> None:
    """Answer a question from the indexed articles, with numbered sources."""
    from qa.questions import check_question

    settings = _settings(index_dir=index_dir, corpus_dir=corpus)
    _or_exit(lambda: check_question(question, settings.max_question_chars))
    _require_index(settings, index_dir, corpus)
    assistant = _assistant(settings, corpus)
    answer = _or_exit(lambda: assistant.run(question, k=k, since=since, until=until, as_of=as_of, sources=source))
    if as_json:
        print(json.dumps(answer.to_dict(), indent=1, ensure_ascii=False))
        return
    Terminal(console).answer(answer)


@app.command()
def chat(
    corpus: Corpus = None,
    index_dir: IndexDir = None,
    k: K = 5,
    since: Since = None,
    until: Until = None,
    as_of: AsOf = None,
    source: Sources = None,
) -> None:
    """A conversation about the articles: follow-ups, /commands for filters (/help). Reads questions from
    stdin, one a line, when stdin is not a terminal."""
    from qa.present.chat import Chat, ChatState, run_chat

    settings = _settings(index_dir=index_dir, corpus_dir=corpus)
    _require_index(settings, index_dir, corpus)
    state = ChatState(since=since, until=until, as_of=as_of, sources=list(source or []))
    _or_exit(state.filters)  # a bad date in a flag stops here, not at the first question
    assistant = _assistant(settings, corpus)
    _or_exit(assistant.warm_up)
    conversation = Chat(assistant, Terminal(console), state, k=k)
    if sys.stdin.isatty():
        run_chat(conversation, history_file=settings.cache_folder / "chat-history")
    else:
        run_chat(conversation, lines=sys.stdin)


@app.command()
def timeline(
    topic: Annotated[str, typer.Argument(help='What to follow, e.g. "What happened at Qa\'im?"')],
    corpus: Corpus = None,
    index_dir: IndexDir = None,
    since: Since = None,
    until: Until = None,
    source: Sources = None,
    as_json: AsJson = False,
) -> None:
    """What the articles report on a topic, one cited sentence per article, oldest first."""
    settings = _settings(index_dir=index_dir, corpus_dir=corpus)
    _require_index(settings, index_dir, corpus)
    assistant = _assistant(settings, corpus)
    answer = _or_exit(lambda: assistant.timeline(topic, since=since, until=until, sources=source))
    if as_json:
        print(json.dumps(answer.to_dict(), indent=1, ensure_ascii=False))
        return
    Terminal(console).answer(answer)


@app.command()
def info(corpus: Corpus = None, index_dir: IndexDir = None, as_json: AsJson = False) -> None:
    """What an index holds and which folder it belongs to: articles, chunks, model, age, and whether the
    folder changed since; the other folders' indexes are listed after it."""
    from qa.errors import NewsdeskError
    from qa.index.backend import open_index
    from qa.index.corpus_state import describe, folder_indexes
    from qa.ingest.rejects import rejected_files

    settings = _settings(index_dir=index_dir, corpus_dir=corpus)
    try:
        opened = open_index(settings)
    except NewsdeskError as error:
        err.print(f"[red]{safe(str(error))}[/red]")
        raise typer.Exit(1) from None
    data = describe(opened, settings.index_dir)
    data["index"] = _where(settings)
    data["rejected"] = [f"{r.name}: {r.reason}" for r in rejected_files(settings.rejected_folder)]
    data["other_indexes"] = [item for item in folder_indexes(settings) if item["index_dir"] != str(settings.index_dir)]
    if as_json:
        print(json.dumps(data, indent=1))
        return
    terminal = Terminal(console)
    terminal.table(info_rows(data), title="newsdesk index")
    if any(data["changes"].values()):
        terminal.line("The folder changed since this index was built: run `qa index` on it.", "yellow")
    if data["other_indexes"]:
        terminal.line()
        others = data["other_indexes"]
        rows = [(item["corpus"], f"{item['documents']} articles in {item['index_dir']}") for item in others]
        terminal.table(rows, title="other folders' indexes")


if __name__ == "__main__":
    sys.exit(app())
