"""Build or update the index from a corpus folder: only new and changed articles are embedded."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.index.dense import DenseIndex, index_kind
from qa.index.encoder import Encoder
from qa.index.keyword import KeywordEntry, KeywordIndex, terms_of
from qa.index.progress import Progress, ProgressCallback
from qa.index.store import (
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
from qa.ingest.loaders import LoadProblem, corpus_files, file_of, load_corpus
from qa.ingest.rejects import Rejected, reject_files
from qa.settings import EMBEDDING_MODEL, Settings
from qa.types import Chunk, Document

if TYPE_CHECKING:
    from qa.index.backend import SearchIndex
    from qa.index.milvus import MilvusIndex

log = logging.getLogger(__name__)


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

    @property
    def chunks_per_second(self) -> float:
        return self.embedded_chunks / self.seconds if self.seconds else 0.0

    def timing(self) -> dict[str, float]:
        """How long the build took and how much it embedded, as the manifest records it."""
        return {
            "seconds": round(self.seconds, 2),
            "embedded_chunks": self.embedded_chunks,
            "embed_seconds": round(self.embed_seconds, 2),
        }


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
    ) -> BuildReport:
        """Build or update the index; one writer at a time per index folder (others wait).

        `progress` reports each stage on stderr (a bar on a terminal, a line every few seconds in a log);
        `on_progress(stage, done, total)` is called as work completes.
        """
        with writer_lock(self.settings.index_dir):
            return self._run(corpus, rebuild=rebuild, progress=progress, on_progress=on_progress)

    def _run(
        self, corpus: Path | None, *, rebuild: bool, progress: bool, on_progress: ProgressCallback | None
    ) -> BuildReport:
        started = time.perf_counter()
        corpus = Path(corpus or self.settings.corpus_dir)
        leftovers = collect_garbage(self.settings.index_dir)
        articles, problems = load_corpus(corpus, max_article_chars=self.settings.max_article_chars)
        cleaned = clean_corpus(articles)
        if self.settings.backend == "milvus":
            return self._run_milvus(corpus, cleaned, problems, rebuild, progress, on_progress, started)
        previous, reason = (None, "rebuild requested") if rebuild else self._reusable()
        report = BuildReport(problems=problems + cleaned.problems, rebuilt=previous is None, reason=reason)
        report.duplicates, report.leftovers = cleaned.duplicates, leftovers
        reused = _chunks_by_document(previous)
        before = {doc.path: doc.id for doc in previous.documents.values()} if previous else {}
        documents, fresh_chunks = self._take_in(corpus, cleaned, report, set(reused), before, progress, on_progress)

        unchanged = not (report.added or report.changed or report.removed)
        same_kind = previous is not None and previous.dense.kind == self._dense_kind(len(previous.chunks))
        current = previous is not None and previous.keyword is not None and "checksums" in previous.manifest
        if unchanged and same_kind and current:
            report.documents, report.chunks = len(previous.documents), len(previous.chunks)
            report.reason = "up to date"
            report.seconds = time.perf_counter() - started
            return report

        fresh = [doc for doc in documents if doc.id not in reused]
        texts = [embedding_text(doc, chunk) for doc in fresh for chunk in fresh_chunks[doc.id]]
        embed_started = time.perf_counter()
        fresh_vectors = self._embed(texts, progress, on_progress) if texts else None
        report.embed_seconds = time.perf_counter() - embed_started
        report.embedded_chunks = len(texts)

        chunks: list[Chunk] = []
        laid_out: dict[str, list[Chunk]] = {}
        rows: list[np.ndarray] = []
        cursor = 0
        for doc in documents:
            if doc.id in reused:
                doc_chunks, doc_vectors = reused[doc.id]
            else:
                doc_chunks = fresh_chunks[doc.id]
                doc_vectors = fresh_vectors[cursor : cursor + len(doc_chunks)]
                cursor += len(doc_chunks)
            chunks.extend(doc_chunks)
            laid_out[doc.id] = doc_chunks
            rows.append(doc_vectors)
        dimensions = previous.manifest["dimensions"] if previous else self.encoder.dimensions
        vectors = np.vstack(rows) if rows else np.zeros((0, dimensions), dtype=np.float32)
        by_id = {doc.id: doc for doc in documents}
        removed = set(previous.documents) - set(by_id) if previous else set()
        keyword_folder = self.settings.index_dir / f".tmp-keyword-{os.getpid()}-{time.monotonic_ns()}"
        try:
            index = Index(
                documents=by_id,
                chunks=chunks,
                dense=DenseIndex.build(vectors, dimensions, self._dense_kind(len(vectors))),
                keyword=self._keyword(previous, documents, fresh, laid_out, removed, keyword_folder),
                manifest=self._manifest(corpus, dimensions, documents, len(chunks)),
            )
            report.documents, report.chunks = len(documents), len(chunks)
            report.seconds = time.perf_counter() - started
            index.manifest["last_build"] = report.timing()
            save_index(self.settings.index_dir, index)
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
        documents, fresh_chunks = self._take_in(corpus, cleaned, report, set(existing), before, progress, on_progress)
        removed = set(existing) - {doc.id for doc in documents}
        fresh = [doc for doc in documents if doc.id not in existing]
        if store is not None and not (fresh or removed) and "files" in store.manifest:
            report.documents, report.chunks, report.reason = len(documents), store.chunk_count, "up to date"
            report.seconds = time.perf_counter() - started
            return report

        texts = [embedding_text(doc, chunk) for doc in fresh for chunk in fresh_chunks[doc.id]]
        embed_started = time.perf_counter()
        vectors = self._embed(texts, progress, on_progress) if texts else np.zeros((0, self.encoder.dimensions))
        report.embed_seconds, report.embedded_chunks = time.perf_counter() - embed_started, len(texts)
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
        progress: bool,
        on_progress: ProgressCallback | None,
    ) -> tuple[list[Document], dict[str, list[Chunk]]]:
        """The articles the index will hold (already `indexed`, or newly split into chunks) and the new
        chunks; articles that cannot be split are reported and their files set aside, and the changes are
        counted against `before` ({corpus path: article id})."""
        fresh_chunks, failed = self._split(
            [doc for doc in cleaned.documents if doc.id not in indexed], progress, on_progress
        )
        report.problems += failed
        documents = [doc for doc in cleaned.documents if doc.id in indexed or doc.id in fresh_chunks]
        if self.settings.reject_bad_files and corpus.is_dir():
            report.rejected = reject_files(report.problems, corpus, self.settings.rejected_folder)
        _count_changes(report, before, documents)
        return documents, fresh_chunks

    def _split(
        self, documents: list[Document], progress: bool, on_progress: ProgressCallback | None
    ) -> tuple[dict[str, list[Chunk]], list[LoadProblem]]:
        """Chunks of each document; one that cannot be split is named and left out, the rest go on."""
        chunker = Chunker(
            self.encoder.count_tokens,
            self.settings.chunk_tokens,
            self.settings.overlap_sentences,
            self.encoder.max_tokens,
        )
        chunks, failed = {}, []
        with Progress("splitting", len(documents), "articles", enabled=progress, callback=on_progress) as stage:
            for doc in documents:
                try:
                    chunks[doc.id] = chunker.run(doc)
                except Exception as error:  # one article that breaks the sentence splitter must not stop a build
                    reason = f"could not be split into sentences ({type(error).__name__}: {error})"
                    failed.append(LoadProblem(doc.path, reason, whole_file=file_of(doc.path) == doc.path))
                stage.update()
        return chunks, failed

    def _embed(self, texts: list[str], progress: bool, on_progress: ProgressCallback | None) -> np.ndarray:
        """Vectors for `texts`, encoded in blocks so progress can be told between them."""
        block = self.settings.batch_size * 16
        parts = []
        self.encoder.warm_up()  # so the rate counts encoding, not loading the model
        with Progress("embedding", len(texts), "chunks", enabled=progress, callback=on_progress) as stage:
            for start in range(0, len(texts), block):
                parts.append(
                    self.encoder.run(texts[start : start + block], threads=self.settings.index_threads or None)
                )
                stage.update(len(parts[-1]))
        return np.vstack(parts)

    def _reusable(self) -> tuple[Index | None, str]:
        """The current index if its model and chunking match the settings, with the reason if not."""
        try:
            manifest = read_manifest(self.settings.index_dir)
            if manifest is None:
                return None, "no index yet"
            if manifest.get("settings") != self.settings.chunking_signature():
                return None, f"settings changed ({manifest.get('settings')} -> {self.settings.chunking_signature()})"
            return load_index(self.settings.index_dir), "incremental update"
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


def corpus_fingerprint(corpus: Path) -> dict[str, str]:
    """A content hash per corpus file, to tell when the corpus changed since the index was built."""
    fingerprint = {}
    for file in corpus_files(Path(corpus).resolve()):  # absolute keys, whatever the working directory
        try:
            fingerprint[str(file)] = hashlib.sha1(file.read_bytes()).hexdigest()
        except OSError:
            continue
    return fingerprint


def describe(index: SearchIndex, index_dir: Path) -> dict:
    """What an index holds: articles, chunks, model, build time and age, and corpus changes since."""
    manifest = index.manifest
    corpus = Path(manifest.get("corpus", ""))
    return {
        "documents": index.document_count,
        "chunks": index.chunk_count,
        "model": manifest.get("model"),
        "dimensions": manifest.get("dimensions"),
        "dense_index": index.dense_kind,
        "settings": manifest.get("settings"),
        "corpus": str(corpus),
        "index_dir": str(index_dir),
        "built": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(index.built_at)),
        "age_seconds": round(time.time() - index.built_at, 1),
        "changes": corpus_changes(corpus, manifest) if corpus.exists() else {},
    }


def corpus_changes(corpus: Path, manifest: dict) -> dict[str, int]:
    """How many corpus files are new, changed or removed relative to the index's manifest."""
    now, then = corpus_fingerprint(corpus), manifest.get("files", {})
    return {
        "new": sum(path not in then for path in now),
        "changed": sum(path in then and then[path] != digest for path, digest in now.items()),
        "removed": sum(path not in now for path in then),
    }


def _count_changes(report: BuildReport, before: dict[str, str], documents: list[Document]) -> None:
    """Articles added, changed, removed and unchanged, by corpus path, from {path: id} before the build."""
    after = {doc.path: doc.id for doc in documents}
    report.added = sum(key not in before for key in after)
    report.changed = sum(key in before and before[key] != ident for key, ident in after.items())
    report.removed = sum(key not in after for key in before)
    report.unchanged = sum(before.get(key) == ident for key, ident in after.items())


def _chunks_by_document(index: Index | None) -> dict[str, tuple[list[Chunk], np.ndarray]]:
    if index is None:
        return {}
    vectors = index.dense.vectors()
    grouped: dict[str, tuple[list[Chunk], list[int]]] = {}
    for row, chunk in enumerate(index.chunks):
        grouped.setdefault(chunk.doc_id, ([], []))
        grouped[chunk.doc_id][0].append(chunk)
        grouped[chunk.doc_id][1].append(row)
    return {doc_id: (chunks, vectors[rows]) for doc_id, (chunks, rows) in grouped.items()}
