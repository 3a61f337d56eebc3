"""Build or update the index from a corpus folder: only new and changed articles are embedded."""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.errors import IndexOfAnotherFolder
from qa.index.build_report import BuildReport, FreshChunks
from qa.index.corpus_state import corpus_fingerprint
from qa.index.dense import DenseIndex, index_kind
from qa.index.embedding import ChunkEmbedder
from qa.index.encoder import Encoder
from qa.index.keyword import KeywordEntry, KeywordIndex
from qa.index.milvus_build import MilvusBuild
from qa.index.progress import ProgressCallback
from qa.index.store import (
    FORMAT_VERSION,
    UPGRADABLE,
    Index,
    IndexUnusable,
    collect_garbage,
    load_for_upgrade,
    load_index,
    read_manifest,
    save_index,
    writer_lock,
)
from qa.ingest.chunking import embedding_text
from qa.ingest.cleaning import CleanCorpus, clean_corpus
from qa.ingest.loaders import load_corpus
from qa.ingest.rejects import reject_files
from qa.settings import EMBEDDING_MODEL, Settings
from qa.types import Chunk, Document

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)
MAX_RETIRED = 0.2  # share of an HNSW graph's nodes left by replaced or deleted chunks before it is rebuilt


class Indexer(MilvusBuild):
    """Turns a corpus folder into the on-disk index; `run()` builds or updates it."""

    def __init__(self, settings: Settings | None = None, encoder: Encoder | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.encoder = encoder or Encoder(self.settings)
        self.embedder = ChunkEmbedder(self.settings, self.encoder)

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
        fresh = self.embedder.run(cleaned, set(reused), report, progress, on_progress)
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
                index = Index(
                    by_id, chunks, dense, keyword, self.manifest_for(corpus, dimensions, documents, len(chunks))
                )
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

    def _dense_kind(self, rows: int) -> str:
        return index_kind(rows, self.settings.dense_index, self.settings.hnsw_above)

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

    def manifest_for(self, corpus: Path, dimensions: int, documents: list[Document], chunks: int) -> dict:
        """What an index of `documents` from `corpus` records about itself (the Ray backfill writes it too)."""
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
