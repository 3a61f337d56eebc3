"""Build or update the index from a corpus folder: only new and changed articles are embedded."""

from __future__ import annotations

import logging
import os
import queue
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.errors import IndexOfAnotherFolder
from qa.index.corpus_state import corpus_fingerprint
from qa.index.dense import DenseIndex, index_kind
from qa.index.encoder import Encoder
from qa.index.keyword import KeywordEntry, KeywordIndex, terms_of
from qa.index.progress import Progress, ProgressCallback
from qa.index.store import (
    FORMAT_VERSION,
    UPGRADABLE,
    Index,
    IndexMissing,
    IndexUnusable,
    collect_garbage,
    load_for_upgrade,
    load_index,
    read_manifest,
    save_index,
    writer_lock,
)
from qa.ingest.chunking import Chunker, embedding_text
from qa.ingest.cleaning import CleanCorpus, clean_corpus
from qa.ingest.loaders import LoadProblem, file_of, load_corpus
from qa.ingest.rejects import Rejected, reject_files
from qa.settings import EMBEDDING_MODEL, Settings
from qa.types import Chunk, Document

if TYPE_CHECKING:
    from qa.index.milvus import MilvusIndex

log = logging.getLogger(__name__)
MAX_RETIRED = 0.2  # share of an HNSW graph's nodes left by replaced or deleted chunks before it is rebuilt


@dataclass
class BuildReport:
    """What a build did, for the CLI summary and the UI."""

    documents: int = 0
    chunks: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    embedded_chunks: int = 0
    embed_seconds: float = 0.0
    seconds: float = 0.0
    rebuilt: bool = False
    reason: str = ""
    problems: list[LoadProblem] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    duplicates: dict[str, str] = field(default_factory=dict)
    leftovers: list[str] = field(default_factory=list)
    stored: list[Path] = field(default_factory=list)  # files an upload copied into the corpus folder
    stages: dict[str, float] = field(default_factory=dict)  # seconds per step: reading, splitting, embedding...

    @property
    def chunks_per_second(self) -> float:
        """Chunks embedded per second of the embedding stage (the model's load not counted)."""
        return self.embedded_chunks / self.embed_seconds if self.embed_seconds else 0.0

    def timing(self) -> dict[str, float]:
        """How long the build took and how much it embedded, as the manifest records it."""
        return {
            "seconds": round(self.seconds, 2),
            "embedded_chunks": self.embedded_chunks,
            "embed_seconds": round(self.embed_seconds, 2),
            "stages": {stage: round(seconds, 2) for stage, seconds in self.stages.items()},
        }

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a step of the build into `stages`."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - started


@dataclass
class FreshChunks:
    """What a build adds: the chunks of each newly split article, their vectors in that order, and the
    articles that could not be split."""

    chunks: dict[str, list[Chunk]] = field(default_factory=dict)
    vectors: np.ndarray | None = None  # None when nothing was embedded
    failed: list[LoadProblem] = field(default_factory=list)


class Indexer:
    """Turns a corpus folder into the on-disk index; `run()` builds or updates it."""

    def __init__(self, settings: Settings | None = None, encoder: Encoder | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.encoder = encoder or Encoder(self.settings)

    def run(
        self,
        corpus: Path | None = None,
        *,
        rebuild: bool = False,
        progress: bool = False,
        on_progress: ProgressCallback | None = None,
        replace: bool = False,
    ) -> BuildReport:
        """Build or update the index; one writer at a time per index folder (others wait).

        An index that holds another folder's articles is refused (they would be dropped) unless `replace`.
        `progress` reports each stage on stderr (a bar on a terminal, a line every few seconds in a log);
        `on_progress(stage, done, total)` is called as work completes.
        """
        with writer_lock(self.settings.index_dir):
            if not replace:
                self._refuse_another_folders_index(Path(corpus or self.settings.corpus_dir))
            return self._run(corpus, rebuild=rebuild, progress=progress, on_progress=on_progress)

    def _refuse_another_folders_index(self, corpus: Path) -> None:
        if self.settings.backend != "faiss":
            return
        try:
            manifest = read_manifest(self.settings.index_dir) or {}
        except IndexUnusable:
            return  # a damaged index is rebuilt, whoever it belonged to
        owner = manifest.get("corpus")
        if owner and Path(owner) != corpus.resolve() and manifest.get("counts", {}).get("documents"):
            raise IndexOfAnotherFolder(
                f"the index in {self.settings.index_dir} holds the {manifest['counts']['documents']} articles of "
                f"{owner}; indexing {corpus} there would drop them. Leave out --index-dir (each folder gets "
                "its own index), name another folder, or pass --replace to replace it"
            )

    def _run(
        self, corpus: Path | None, *, rebuild: bool, progress: bool, on_progress: ProgressCallback | None
    ) -> BuildReport:
        started = time.perf_counter()
        corpus = Path(corpus or self.settings.corpus_dir)
        leftovers = collect_garbage(self.settings.index_dir)
        reading = time.perf_counter()
        articles, problems = load_corpus(corpus, max_article_chars=self.settings.max_article_chars)
        cleaned = clean_corpus(articles)
        reading = time.perf_counter() - reading
        if self.settings.backend == "milvus":
            return self._run_milvus(corpus, cleaned, problems, rebuild, progress, on_progress, started)
        previous, reason = (None, "rebuild requested") if rebuild else self._reusable()
        report = BuildReport(problems=problems + cleaned.problems, rebuilt=previous is None, reason=reason)
        report.duplicates, report.leftovers = cleaned.duplicates, leftovers
        report.stages["reading"] = reading
        reused = _chunks_by_document(previous)
        before = _paths(previous)
        fresh = self._split_and_embed(cleaned, set(reused), report, progress, on_progress)
        documents = self._take_in(corpus, cleaned, report, set(reused), before, fresh)

        unchanged = not (report.added or report.changed or report.removed)
        same_kind = previous is not None and previous.dense.kind == self._dense_kind(len(previous.chunks))
        current = (
            previous is not None
            and previous.keyword is not None
            and "checksums" in previous.manifest
            and previous.manifest.get("format_version") == FORMAT_VERSION
        )
        if unchanged and same_kind and current:
            report.documents, report.chunks = len(previous.documents), len(previous.chunks)
            report.reason = "up to date"
            report.seconds = time.perf_counter() - started
            return report

        fresh_chunks = fresh.chunks
        fresh_documents = [doc for doc in documents if doc.id not in reused]

        chunks: list[Chunk] = []
        laid_out: dict[str, list[Chunk]] = {}
        kept: list[np.ndarray] = []  # per new chunk row: the previous row whose vector it keeps, or -1
        for doc in documents:
            doc_chunks, previous_rows = reused.get(doc.id) or (fresh_chunks[doc.id], None)
            chunks.extend(doc_chunks)
            laid_out[doc.id] = doc_chunks
            kept.append(np.full(len(doc_chunks), -1) if previous_rows is None else previous_rows)
        dimensions = previous.manifest["dimensions"] if previous else self.encoder.dimensions
        layout = np.concatenate(kept).astype(np.int64) if kept else np.zeros(0, dtype=np.int64)
        fresh_vectors = fresh.vectors if fresh.vectors is not None else np.zeros((0, dimensions), dtype=np.float32)
        by_id = {doc.id: doc for doc in documents}
        removed = set(previous.documents) - set(by_id) if previous else set()
        keyword_folder = self.settings.index_dir / f".tmp-keyword-{os.getpid()}-{time.monotonic_ns()}"
        try:
            with report.stage("dense index"):
                dense = self._dense(previous, layout, fresh_vectors, dimensions)
            with report.stage("keyword index"):
                keyword = self._keyword(previous, documents, fresh_documents, laid_out, removed, keyword_folder)
            with report.stage("writing"):
                index = Index(by_id, chunks, dense, keyword, self._manifest(corpus, dimensions, documents, len(chunks)))
                report.documents, report.chunks = len(documents), len(chunks)
                report.seconds = time.perf_counter() - started
                index.manifest["last_build"] = report.timing()  # all but writing it
                save_index(self.settings.index_dir, index)
            report.seconds = time.perf_counter() - started
        finally:
            shutil.rmtree(keyword_folder, ignore_errors=True)  # the generation keeps links to its files
        return report

    def _keyword(
        self,
        previous: Index | None,
        documents: list[Document],
        added: list[Document],
        chunks: dict[str, list[Chunk]],
        removed: set[str],
        folder: Path,
    ) -> KeywordIndex:
        """The previous keyword index less the `removed` articles and plus the `added` ones (a new segment,
        not a rebuild), or a new index of every article when there is no previous keyword index."""
        grow = previous is not None and previous.keyword is not None
        entries = (
            KeywordEntry(doc.id, number, embedding_text(doc, chunk))
            for doc in (added if grow else documents)
            for number, chunk in enumerate(chunks[doc.id])
        )
        threads = self.settings.index_threads or os.cpu_count() or 1
        if not grow:
            return KeywordIndex.build(entries, folder, threads)
        return previous.keyword.grown(folder, entries, removed, threads)

    def _dense(self, previous: Index | None, layout: np.ndarray, added: np.ndarray, dimensions: int) -> DenseIndex:
        """The dense index for the new chunk rows: row i keeps the previous row `layout[i]`'s vector, or takes
        the next of `added` where that is -1. An HNSW graph grows in place of being built again (a million
        vectors take minutes to link) until a fifth of its nodes are retired; a flat index is rebuilt."""
        kind = self._dense_kind(len(layout))
        if previous is not None and kind == "hnsw" and previous.dense.kind == "hnsw":
            stored = previous.dense.size + previous.dense.retired + len(added)
            retired = stored - len(layout)
            if retired <= MAX_RETIRED * stored:
                return previous.dense.grown(layout, added)
        vectors = np.empty((len(layout), dimensions), dtype=np.float32)
        old = layout >= 0
        if old.any():
            vectors[old] = previous.dense.vectors(layout[old])
        vectors[~old] = added
        return DenseIndex.build(vectors, dimensions, kind)

    @property
    def _block(self) -> int:
        """Chunks embedded between progress reports (and, while splitting goes on, at a time)."""
        return self.settings.batch_size * 16

    def _dense_kind(self, rows: int) -> str:
        return index_kind(rows, self.settings.dense_index, self.settings.hnsw_above)

    def _run_milvus(
        self,
        corpus: Path,
        cleaned: CleanCorpus,
        problems: list[LoadProblem],
        rebuild: bool,
        progress: bool,
        on_progress: ProgressCallback | None,
        started: float,
    ) -> BuildReport:
        """The same build into Milvus: articles gone from the corpus are deleted by id, new and changed ones
        embedded and upserted, the rest left as they are."""
        from qa.index.milvus import MilvusIndex

        store, reason = self._milvus_index(rebuild)
        report = BuildReport(problems=problems + cleaned.problems, rebuilt=store is None, reason=reason)
        report.duplicates = cleaned.duplicates
        if store is not None:
            report.leftovers = [f"half-written article {doc_id}" for doc_id in store.recover()]
        existing = store.existing_documents() if store else {}
        before = {path: doc_id for doc_id, path in existing.items()}
        split = self._split_and_embed(cleaned, set(existing), report, progress, on_progress)
        documents = self._take_in(corpus, cleaned, report, set(existing), before, split)
        fresh_chunks = split.chunks
        removed = set(existing) - {doc.id for doc in documents}
        fresh = [doc for doc in documents if doc.id not in existing]
        if store is not None and not (fresh or removed) and "files" in store.manifest:
            report.documents, report.chunks, report.reason = len(documents), store.chunk_count, "up to date"
            report.seconds = time.perf_counter() - started
            return report

        texts = [embedding_text(doc, chunk) for doc in fresh for chunk in fresh_chunks[doc.id]]
        vectors = split.vectors if split.vectors is not None else np.zeros((0, self.encoder.dimensions))
        if store is None:
            store = MilvusIndex.create(self.settings, self.encoder.dimensions, self._dense_kind(len(texts)))
        terms = terms_of(texts)
        by_doc_vectors, by_doc_terms, cursor = {}, {}, 0
        for doc in fresh:
            count = len(fresh_chunks[doc.id])
            by_doc_vectors[doc.id] = vectors[cursor : cursor + count]
            by_doc_terms[doc.id] = terms[cursor : cursor + count]
            cursor += count
        with Progress("writing to Milvus", len(fresh), "articles", enabled=progress, callback=on_progress) as stage:
            store.add(fresh, fresh_chunks, by_doc_vectors, by_doc_terms)
            stage.update(len(fresh))
        store.delete(removed)
        report.documents, report.chunks = len(documents), store.chunk_count
        report.seconds = time.perf_counter() - started
        manifest = self._manifest(corpus, self.encoder.dimensions, documents, report.chunks)
        manifest["dense_index"] = store.dense_kind if store.manifest else self._dense_kind(len(texts))
        manifest["last_build"] = report.timing()
        store.save_manifest(manifest)
        return report

    def _milvus_index(self, rebuild: bool) -> tuple[MilvusIndex | None, str]:
        """The Milvus index to update, or None (with the reason) when it must be made anew."""
        from qa.index.milvus import MilvusIndex

        try:
            store = MilvusIndex.connect(self.settings)
        except IndexUnusable as error:
            return None, str(error) if not isinstance(error, IndexMissing) else "no index yet"
        if rebuild:
            return None, "rebuild requested"
        if store.manifest.get("settings") != self.settings.chunking_signature():
            return None, f"settings changed ({store.manifest.get('settings')} -> {self.settings.chunking_signature()})"
        return store, "incremental update"

    def _take_in(
        self,
        corpus: Path,
        cleaned: CleanCorpus,
        report: BuildReport,
        indexed: set[str],
        before: dict[str, str],
        fresh: FreshChunks,
    ) -> list[Document]:
        """The articles the index will hold (already `indexed`, or newly split into chunks); articles that
        could not be split are reported and their files set aside, and the changes are counted against
        `before` ({corpus path: article id})."""
        report.problems += fresh.failed
        documents = [doc for doc in cleaned.documents if doc.id in indexed or doc.id in fresh.chunks]
        if self.settings.reject_bad_files and corpus.is_dir():
            report.rejected = reject_files(report.problems, corpus, self.settings.rejected_folder)
        _count_changes(report, before, documents)
        return documents

    def _split_and_embed(
        self,
        cleaned: CleanCorpus,
        indexed: set[str],
        report: BuildReport,
        progress: bool,
        on_progress: ProgressCallback | None,
    ) -> FreshChunks:
        """Chunks and vectors of the articles not `indexed` yet. A second thread splits them while this one
        embeds the chunks made so far, so splitting (a twentieth of the work) hides behind embedding;
        an article that cannot be split is named and left out, the rest go on."""
        documents = [doc for doc in cleaned.documents if doc.id not in indexed]
        fresh = FreshChunks()
        if not documents:
            return fresh
        self.encoder.warm_up_indexing()  # so the rate counts encoding, not loading the model
        split: queue.Queue[tuple[Document, list[Chunk]] | None] = queue.Queue()
        broken: list[BaseException] = []

        def run_splitter() -> None:
            with report.stage("splitting"):
                try:
                    for document, chunks in self._split(documents, fresh.failed, progress, on_progress):
                        split.put((document, chunks))
                except BaseException as error:  # raised again on the embedding thread, not lost with this one
                    broken.append(error)
                finally:
                    split.put(None)

        splitter = threading.Thread(target=run_splitter, name="newsdesk-splitting", daemon=True)
        splitter.start()
        texts: list[str] = []
        parts: list[np.ndarray] = []
        block = self._block
        finished = False
        with (
            report.stage("embedding"),
            Progress("embedding", 0, "chunks", enabled=progress, callback=on_progress) as stage,
        ):
            while True:
                # take in what is split, waiting only while less than a block is left to embed
                while not finished and (len(texts) - stage.done < block or not split.empty()):
                    item = split.get()
                    if item is None:
                        finished = True
                    else:
                        fresh.chunks[item[0].id] = item[1]
                        texts.extend(embedding_text(item[0], chunk) for chunk in item[1])
                stage.grow(len(texts))
                if broken:
                    raise broken[0]
                if finished:
                    if len(texts) > stage.done:
                        parts.append(self._embed(texts[stage.done :], stage))
                    break
                parts.append(self._embed(texts[stage.done : stage.done + block], stage))
        splitter.join()
        fresh.vectors = np.vstack(parts) if parts else None
        report.embed_seconds = report.stages["embedding"]
        report.embedded_chunks = len(texts)
        return fresh

    def _split(
        self,
        documents: list[Document],
        failed: list[LoadProblem],
        progress: bool,
        on_progress: ProgressCallback | None,
    ) -> Iterator[tuple[Document, list[Chunk]]]:
        """Each document with its chunks; one that cannot be split is added to `failed` instead."""
        chunker = Chunker(
            self.encoder.count_tokens,
            self.settings.chunk_tokens,
            self.settings.overlap_sentences,
            self.encoder.max_tokens,
        )
        with Progress("splitting", len(documents), "articles", enabled=progress, callback=on_progress) as stage:
            for doc in documents:
                try:
                    chunks = chunker.run(doc)
                except Exception as error:  # one article that breaks the sentence splitter must not stop a build
                    reason = f"could not be split into sentences ({type(error).__name__}: {error})"
                    failed.append(LoadProblem(doc.path, reason, whole_file=file_of(doc.path) == doc.path))
                else:
                    yield doc, chunks
                stage.update()

    def _embed(self, texts: list[str], stage: Progress) -> np.ndarray:
        """Vectors for `texts`, encoded in blocks so progress can be told between them.

        Texts go to the model longest first, as one `encode` call would order them, so each batch pads to
        similar lengths; the vectors come back in the order of `texts`.
        """
        block = self._block
        order = np.argsort([-len(text) for text in texts], kind="stable")
        vectors = np.empty((len(texts), self.encoder.dimensions), dtype=np.float32)
        for start in range(0, len(texts), block):
            rows = order[start : start + block]
            vectors[rows] = self.encoder.run([texts[row] for row in rows], threads=self.settings.index_threads or None)
            stage.update(len(rows))
        return vectors

    def _reusable(self) -> tuple[Index | None, str]:
        """The current index if its model and chunking match the settings, with the reason if not."""
        try:
            manifest = read_manifest(self.settings.index_dir)
            if manifest is None:
                return None, "no index yet"
            if manifest.get("settings") != self.settings.chunking_signature():
                return None, f"settings changed ({manifest.get('settings')} -> {self.settings.chunking_signature()})"
            return load_index(self.settings.index_dir, check_now=True), "incremental update"
        except IndexUnusable as error:
            if manifest.get("format_version") in UPGRADABLE:
                try:
                    reason = f"index format {manifest['format_version']} upgraded: articles and vectors reused"
                    return load_for_upgrade(self.settings.index_dir), reason
                except IndexUnusable:
                    pass
            return None, str(error)

    def _manifest(self, corpus: Path, dimensions: int, documents: list[Document], chunks: int) -> dict:
        return {
            "model": EMBEDDING_MODEL,
            "dimensions": dimensions,
            "settings": self.settings.chunking_signature(),
            "corpus": str(corpus.resolve()),
            "files": corpus_fingerprint(corpus),
            "document_hashes": sorted(doc.id for doc in documents),
            "counts": {"documents": len(documents), "chunks": chunks},
            "built_at": time.time(),
        }


def _count_changes(report: BuildReport, before: dict[str, str], documents: list[Document]) -> None:
    """Articles added, changed, removed and unchanged, by corpus path, from {path: id} before the build."""
    after = {doc.path: doc.id for doc in documents}
    report.added = sum(key not in before for key in after)
    report.changed = sum(key in before and before[key] != ident for key, ident in after.items())
    report.removed = sum(key not in after for key in before)
    report.unchanged = sum(before.get(key) == ident for key, ident in after.items())


def _paths(index: Index | None) -> dict[str, str]:
    """{corpus path: article id} of what `index` holds."""
    if index is None:
        return {}
    return dict(zip(index.documents.columns["path"], index.documents.columns["id"], strict=True))


def _chunks_by_document(index: Index | None) -> dict[str, tuple[list[Chunk], np.ndarray]]:
    """Each article's chunks in `index` and their rows there."""
    if index is None:
        return {}
    grouped: dict[str, tuple[list[Chunk], list[int]]] = {}
    for row, chunk in enumerate(index.chunks):
        grouped.setdefault(chunk.doc_id, ([], []))
        grouped[chunk.doc_id][0].append(chunk)
        grouped[chunk.doc_id][1].append(row)
    return {doc_id: (chunks, np.asarray(rows, dtype=np.int64)) for doc_id, (chunks, rows) in grouped.items()}
