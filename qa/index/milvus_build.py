"""The build into a Milvus server: the same articles, chunks and vectors as the folder index, upserted."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.errors import IndexMissing, IndexUnusable
from qa.index.build_report import BuildReport
from qa.index.keyword import terms_of
from qa.index.progress import Progress, ProgressCallback
from qa.ingest.chunking import embedding_text
from qa.ingest.cleaning import CleanCorpus
from qa.ingest.loaders import LoadProblem

if TYPE_CHECKING:
    from qa.index.milvus import MilvusIndex


class MilvusBuild:
    """The Milvus half of `Indexer` (which mixes it in): it reads the indexer's settings, encoder and steps."""

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

        store, reason = self.milvus_store(rebuild)
        report = BuildReport(problems=problems + cleaned.problems, rebuilt=store is None, reason=reason)
        report.duplicates = cleaned.duplicates
        if store is not None:
            report.leftovers = [f"half-written article {doc_id}" for doc_id in store.recover()]
        existing = store.existing_documents() if store else {}
        before = {path: doc_id for doc_id, path in existing.items()}
        split = self.embedder.run(cleaned, set(existing), report, progress, on_progress)
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
        manifest = self.manifest_for(corpus, self.encoder.dimensions, documents, report.chunks)
        manifest["dense_index"] = store.dense_kind if store.manifest else self._dense_kind(len(texts))
        manifest["last_build"] = report.timing()
        store.save_manifest(manifest)
        return report

    def milvus_store(self, rebuild: bool) -> tuple[MilvusIndex | None, str]:
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
