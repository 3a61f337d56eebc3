"""The Assistant: one loaded index and model answering many questions; `ask()` uses a shared default."""

from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path

from qa.answer.answerer import Answerer
from qa.answer.followup import resolve
from qa.answer.phrasing import Phraser
from qa.answer.timeline import timeline_answer
from qa.errors import IndexMissing, IndexUnusable
from qa.filters import Filters
from qa.index.backend import SearchIndex, open_index
from qa.index.builder import BuildReport, Indexer
from qa.index.corpus_state import corpus_changes, describe
from qa.index.encoder import Encoder
from qa.index.jobs import Job, JobQueue
from qa.offline import go_offline
from qa.questions import check_history, check_question
from qa.retrieval.retriever import Retriever
from qa.retrieval.when import DateRange, date_range_in
from qa.settings import Settings
from qa.types import Answer, Passage

log = logging.getLogger(__name__)


class Assistant:
    """Answers questions over one index; `warm_up()` loads (building the index if there is none).

    Thread-safe: questions run in parallel on one shared model. Indexing never blocks them: a new
    generation is built beside the one in use and swapped in when complete.
    """

    def __init__(
        self, settings: Settings | None = None, *, encoder: Encoder | None = None, **overrides: object
    ) -> None:
        go_offline()
        # without settings, overrides are read as the environment is (a corpus folder gets its own index)
        self.settings = settings.with_(**overrides) if settings else Settings.from_env(**overrides)
        self.encoder = encoder or Encoder(self.settings)
        self.answerer = Answerer(self.settings)
        self.phraser = Phraser(self.settings)
        self.index: SearchIndex | None = None
        self.retriever: Retriever | None = None
        self._newest: date | None = None
        self.jobs = JobQueue()
        self._lock = threading.Lock()  # held only to load or swap the index, never while building one
        self._build_lock = threading.Lock()
        self._warm = False  # the models are loaded
        self._language = False  # spaCy and dateparser are loaded
        self.corpus_checked = threading.Event()  # set when the index has been compared with the corpus folder

    def warm_up(self) -> None:
        """Open the index (building it when there is none) and load the models, spaCy and dateparser included
        (a server or a chat pays for them before its first question)."""
        self._ready(language=True)

    def _ready(self, language: bool = False) -> None:
        """Open the index and load the models; with `language`, spaCy and dateparser too (otherwise a question
        that needs them loads them). The index opens on a second thread meanwhile (FAISS and numpy read files
        without holding the GIL), so a big one adds little."""
        if self._warm and self.index is not None and (self._language or not language):
            return
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsdesk-open") as pool:
            opening = pool.submit(open_index, self.settings) if self.index is None else None
            self.encoder.warm_up()
            self.answerer.warm_up()
            if language:
                self.answerer.warm_up_language()
                if self.settings.question_dates:
                    date_range_in("two weeks ago", date.today())  # dateparser's English data, before a question
                self._language = True
            self._warm = True
            with self._lock:
                if self.index is None:
                    self._load(opening)

    def _load(self, opening: Future | None = None) -> None:
        try:
            index = opening.result() if opening else open_index(self.settings)
        except IndexUnusable as error:
            if not isinstance(error, IndexMissing):
                log.warning("%s", error)
            log.warning("building the index in %s from %s", self.settings.index_dir, self.settings.corpus_dir)
            Indexer(self.settings, self.encoder).run(self.settings.corpus_dir)
            index = open_index(self.settings)
        self._use(index)
        self.corpus_checked.clear()
        threading.Thread(target=self._report_staleness, name="newsdesk-staleness", daemon=True).start()

    def _use(self, index: SearchIndex) -> None:
        newest = index.newest_date()
        self._newest = date.fromisoformat(newest) if newest else None
        self.retriever = Retriever(index, self.encoder, self.settings)
        self.index = index

    def _report_staleness(self) -> None:
        """Warn when the index on disk no longer matches the settings or the corpus folder (in the
        background: comparing the corpus reads every file of it)."""
        try:
            self._compare_with_corpus(self.index.manifest)
        finally:
            self.corpus_checked.set()

    def _compare_with_corpus(self, manifest: dict) -> None:
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

    def run(
        self,
        question: str,
        *,
        history: object = None,
        k: int | None = None,
        mode: str = "hybrid",
        since: str | date | None = None,
        until: str | date | None = None,
        as_of: str | date | None = None,
        sources: list[str] | None = None,
    ) -> Answer:
        """Answer `question`, resolving it against `history` first when it is a follow-up, from the articles
        published `since`..`until` (and by `as_of`) by `sources`; every filter is optional."""
        question = check_question(question, self.settings.max_question_chars)
        history = check_history(history)
        filters = Filters.of(since=since, until=until, as_of=as_of, sources=sources)
        self._ready()
        retriever = self.retriever  # one generation for the whole question, even if a new one is swapped in
        timings: dict[str, float] = {}
        started = time.perf_counter()
        resolved = resolve(question, history)
        timings["resolve"] = time.perf_counter() - started
        mark = time.perf_counter()
        passages, window = self.passages(
            resolved, k or self.settings.k, mode=mode, filters=filters, retriever=retriever
        )
        timings["retrieval"] = time.perf_counter() - mark
        answer = self.answerer.run(resolved, passages, timings)
        answer.dates_read = window.describe() if window else None
        if filters.active and not passages:
            answer.refusal_reason = filters.refusal()
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

    def timeline(
        self,
        question: str,
        *,
        k: int = 20,
        since: str | date | None = None,
        until: str | date | None = None,
        as_of: str | date | None = None,
        sources: list[str] | None = None,
    ) -> Answer:
        """What the articles report on a topic, one cited sentence per article, oldest first."""
        question = check_question(question, self.settings.max_question_chars)
        filters = Filters.of(since=since, until=until, as_of=as_of, sources=sources)
        self._ready()
        started = time.perf_counter()
        passages, window = self.passages(question, k, filters=filters)
        answer = timeline_answer(question, passages)
        answer.dates_read = window.describe() if window else None
        answer.timings = {"total": time.perf_counter() - started}
        return answer

    def passages(
        self, question: str, k: int, *, mode: str = "hybrid", filters: Filters, retriever: Retriever | None = None
    ) -> tuple[list[Passage], DateRange | None]:
        """The passages to read, and the publication range used when the question names a time ("last
        week", "in 2021": read relative to `filters.as_of` or the corpus's newest day). The range applies
        only when no explicit since/until was given, and is dropped when no article falls inside it."""
        retriever = retriever or self.retriever
        today = filters.as_of or self.today
        window = None
        if self.settings.question_dates and not (filters.since or filters.until):
            window = date_range_in(question, today)
        if window:
            narrowed = replace(filters, since=window.since, until=window.until)
            found = retriever.run(question, k, mode=mode, filters=narrowed, today=today)
            if found:
                return found, window
        return retriever.run(question, k, mode=mode, filters=filters, today=today), None

    @property
    def today(self) -> date:
        """The day relative expressions are read from: today, or the newest article's day when the corpus
        is older (an archive is asked about as it stood)."""
        self._ready()
        return min(date.today(), self._newest) if self._newest else date.today()

    def add(self, paths: list[Path]) -> BuildReport:
        """Copy files into the corpus folder and update the index incrementally; returns when done."""
        return self.add_async(paths).wait()

    def add_async(self, paths: list[Path]) -> Job:
        """Copy files into the corpus folder now and queue the index update; questions go on meanwhile."""
        from qa.ingest.uploads import store_uploads

        stored, problems = store_uploads(paths, self.settings)

        def work(job: Job) -> BuildReport:
            report = self.reindex(progress=False, on_progress=job.progress, background=True)
            report.stored = stored
            return report.narrowed_to(stored, problems)

        names = ", ".join(path.name for path in stored) or "no readable files"
        job = self.jobs.submit(f"add {names}", work)
        return job

    def catch_up(self) -> Job | None:
        """Queue an update when the corpus folder changed since the index was built (files copied in while
        the server was down, or an upload cut short by a crash); None when the index is current."""
        if not any(self.info()["changes"].values()):
            return None
        return self.jobs.submit(
            "catch up with the corpus folder", lambda job: self.reindex(on_progress=job.progress, background=True)
        )

    def reindex(
        self, *, rebuild: bool = False, progress: bool = False, on_progress=None, background: bool = False
    ) -> BuildReport:
        """Bring the index up to date with the corpus folder and start using it (questions are not held up).

        `background`: share the machine with questions being answered (half the cores unless
        NEWSDESK_INDEX_THREADS says otherwise).
        """
        settings = self.settings
        if background and not settings.index_threads:
            settings = settings.with_(index_threads=max(1, (os.cpu_count() or 2) // 2))
        with self._build_lock:
            indexer = Indexer(settings, self.encoder)
            report = indexer.run(self.settings.corpus_dir, rebuild=rebuild, progress=progress, on_progress=on_progress)
            if report.reason != "up to date" or self.index is None:
                index = open_index(self.settings)
                with self._lock:
                    self._use(index)
        return report

    def info(self) -> dict:
        """Corpus size, model, index age and whether the corpus changed since the build."""
        if self.index is None:
            with self._lock:
                if self.index is None:
                    self._load()
        return describe(self.index, self.settings.index_dir)
