"""The Assistant: one loaded index and model answering many questions; `ask()` uses a shared default."""

from __future__ import annotations

import logging
import re
import threading
import time
from pathlib import Path

from qa.answer.answerer import Answerer
from qa.answer.followup import resolve
from qa.answer.phrasing import Phraser
from qa.errors import IndexMissing, InvalidQuestion
from qa.index.builder import BuildReport, Indexer, corpus_changes, describe
from qa.index.encoder import Encoder
from qa.index.store import Index, load_index
from qa.offline import go_offline
from qa.retrieval.retriever import Retriever
from qa.settings import Settings
from qa.types import Answer

log = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 2000
_MARKUP = re.compile(r"<[^<>]{1,200}>")


class Assistant:
    """Answers questions over one index; `warm_up()` loads (building the index if there is none)."""

    def __init__(
        self, settings: Settings | None = None, *, encoder: Encoder | None = None, **overrides: object
    ) -> None:
        go_offline()
        self.settings = (settings or Settings.from_env()).with_(**overrides)
        self.encoder = encoder or Encoder(self.settings)
        self.answerer = Answerer(self.settings)
        self.phraser = Phraser(self.settings)
        self.index: Index | None = None
        self.retriever: Retriever | None = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self.index is None:
                self._load()
        self.encoder.warm_up()
        self.answerer.warm_up()

    def _load(self) -> None:
        try:
            self.index = load_index(self.settings.index_dir)
        except IndexMissing:
            log.warning("no index in %s: building one from %s", self.settings.index_dir, self.settings.corpus_dir)
            Indexer(self.settings, self.encoder).run(self.settings.corpus_dir)
            self.index = load_index(self.settings.index_dir)
        self.retriever = Retriever(self.index, self.encoder, self.settings)
        self._report_staleness()

    def _report_staleness(self) -> None:
        """Warn when the index on disk no longer matches the settings or the corpus folder."""
        manifest = self.index.manifest
        if manifest.get("settings") != self.settings.chunking_signature():
            log.warning(
                "the index in %s was built with %s but the settings say %s: run `qa index` to rebuild it",
                self.settings.index_dir,
                manifest.get("settings"),
                self.settings.chunking_signature(),
            )
        corpus = Path(manifest.get("corpus", self.settings.corpus_dir))
        changes = corpus_changes(corpus, manifest) if corpus.exists() else {}
        if any(changes.values()):
            log.warning(
                "the corpus %s changed since the index was built (%s): run `qa index` to update it",
                corpus,
                ", ".join(f"{n} {kind}" for kind, n in changes.items() if n),
            )

    def run(self, question: str, *, history: object = None, k: int | None = None, mode: str = "hybrid") -> Answer:
        """Answer `question`, resolving it against `history` first when it is a follow-up."""
        question = _checked(question)
        self.warm_up()
        timings: dict[str, float] = {}
        started = time.perf_counter()
        resolved = resolve(question, history)
        timings["resolve"] = time.perf_counter() - started
        mark = time.perf_counter()
        passages = self.retriever.run(resolved, k or self.settings.k, mode=mode)
        timings["retrieval"] = time.perf_counter() - mark
        answer = self.answerer.run(resolved, passages, timings)
        if not answer.answered:
            log.info("refused %r: %s", resolved, answer.refusal_reason)
        answer.question = question
        answer.resolved_question = resolved if resolved != question else None
        if self.phraser.enabled:
            mark = time.perf_counter()
            answer = self.phraser.run(answer)
            timings["phrasing"] = time.perf_counter() - mark
        timings["total"] = time.perf_counter() - started
        answer.timings = timings
        return answer

    ask = run

    def add(self, paths: list[Path]) -> BuildReport:
        """Copy files into the corpus folder and update the index incrementally."""
        from qa.ingest.uploads import store_uploads

        stored, problems = store_uploads(paths, self.settings.corpus_dir)
        report = self.reindex(progress=True)
        report.problems = problems + [p for p in report.problems if p not in problems]
        report.stored = stored
        return report

    def reindex(self, *, rebuild: bool = False, progress: bool = False) -> BuildReport:
        """Bring the index up to date with the corpus folder and start using it."""
        with self._lock:
            indexer = Indexer(self.settings, self.encoder)
            report = indexer.run(self.settings.corpus_dir, rebuild=rebuild, progress=progress)
            self.index = load_index(self.settings.index_dir)
            self.retriever = Retriever(self.index, self.encoder, self.settings)
        return report

    def info(self) -> dict:
        """Corpus size, model, index age and whether the corpus changed since the build."""
        if self.index is None:
            with self._lock:
                if self.index is None:
                    self._load()
        return describe(self.index, self.settings.index_dir)


def _checked(question: object) -> str:
    if not isinstance(question, str) or not question.strip():
        raise InvalidQuestion("Please type a question: it is empty.")
    question = " ".join(_MARKUP.sub(" ", question).split())
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(
            f"That question is {len(question):,} characters long; please keep it under {MAX_QUESTION_CHARS:,}."
        )
    return question


_defaults: dict[str, Assistant] = {}
_defaults_lock = threading.Lock()


def default_assistant(index: str | Path | None = None) -> Assistant:
    """One shared Assistant per index folder, so repeated questions pay no start-up cost."""
    settings = Settings.from_env(index_dir=Path(index) if index else None)
    key = str(Path(settings.index_dir).resolve())
    with _defaults_lock:
        if key not in _defaults:
            _defaults[key] = Assistant(settings)
        return _defaults[key]


def ask(question: str, *, history: object = None, k: int = 5, index: str | Path | Assistant | None = None) -> Answer:
    """Answer a question from the articles; `index` is an index folder (default: the settings') or an Assistant."""
    assistant = index if isinstance(index, Assistant) else default_assistant(index)
    return assistant.run(question, history=history, k=k)
