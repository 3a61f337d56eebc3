"""`qa index --engine ray`: a backfill of a large archive into Milvus, its splitting and embedding spread over
a Ray cluster as Ray Data stages (an actor pool per stage, each actor loading its model once).

The driver reads and cleans the corpus (cleaning needs every article of a site at once to tell furniture
from text), leaves out what Milvus already holds, and streams the rest through the stages: sentence-aware
splitting, then embedding, on as many workers as the cluster gives (CPU or GPU each). Finished articles come
back in batches and are upserted as they arrive, each batch announced first, so a backfill killed at any
point and run again by the same command writes every article exactly once. The same command runs on a
laptop (a local Ray) and on a cluster (`RAY_ADDRESS` or `NEWSDESK_RAY_ADDRESS`). The embedded FAISS backend
builds on one machine only: the Ray engine writes into Milvus.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import numpy as np

from qa.errors import SettingInvalid
from qa.index.build_report import BuildReport
from qa.index.dense import index_kind
from qa.index.keyword import terms_of
from qa.index.milvus_writes import WRITE_BATCH
from qa.index.progress import Progress
from qa.settings import Settings
from qa.types import Chunk, Document

log = logging.getLogger(__name__)
SPLIT_BATCH = 8  # articles an actor takes at a time
CHARS_PER_CHUNK = 800  # to guess the chunk count (and so flat or HNSW) before anything is split


class RayBackfill:
    """Fills the settings' Milvus index from a corpus folder on a Ray cluster; `run()` does it."""

    def __init__(self, settings: Settings) -> None:
        if settings.backend != "milvus":
            raise SettingInvalid(
                "the Ray engine writes into Milvus: set NEWSDESK_BACKEND=milvus (the embedded FAISS index is built "
                "on one machine by plain `qa index`)"
            )
        self.settings = settings

    def run(self, corpus: Path, *, rebuild: bool = False, progress: bool = False) -> BuildReport:
        """Backfill the index from `corpus`, resuming what an earlier run left; one writer at a time."""
        from qa.index.store import writer_lock

        with writer_lock(self.settings.index_dir):
            return self._run(Path(corpus), rebuild=rebuild, progress=progress)

    def _run(self, corpus: Path, *, rebuild: bool, progress: bool) -> BuildReport:
        from qa.index.builder import Indexer
        from qa.index.milvus import MilvusIndex
        from qa.ingest.cleaning import clean_corpus
        from qa.ingest.loaders import load_corpus

        started = time.perf_counter()
        indexer = Indexer(self.settings)
        articles, problems = load_corpus(corpus, max_article_chars=self.settings.max_article_chars)
        cleaned = clean_corpus(articles)
        store, reason = indexer.milvus_store(rebuild)
        report = BuildReport(problems=problems + cleaned.problems, rebuilt=store is None, reason=reason)
        report.duplicates = cleaned.duplicates
        if store is None:
            characters = sum(len(doc.text) for doc in cleaned.documents)
            kind = index_kind(characters // CHARS_PER_CHUNK, self.settings.dense_index, self.settings.hnsw_above)
            store = MilvusIndex.create(self.settings, indexer.encoder.dimensions, kind)
        else:
            report.leftovers = [f"half-written article {doc_id}" for doc_id in store.recover()]
        existing = store.existing_documents()
        wanted = {doc.id for doc in cleaned.documents}
        todo = [doc for doc in cleaned.documents if doc.id not in existing]
        manifest = indexer.manifest_for(corpus, indexer.encoder.dimensions, cleaned.documents, 0)
        manifest.pop("files")  # recorded only once the backfill is complete: a plain `qa index` then diffs all
        kept = set(existing) & wanted
        backfill = {"articles": len(cleaned.documents), "written": len(kept), "finished": False}
        store.save_manifest({**manifest, "dense_index": store.dense_kind, "backfill": backfill})

        with (
            report.stage("embedding"),
            Progress("backfill", len(todo), "articles", enabled=progress) as stage,
        ):
            for batch in self.stream(todo):
                written = self._write(store, batch, report)
                backfill["written"] += written
                store.save_manifest({**store.manifest, "backfill": backfill})
                stage.update(written)
        store.delete(set(existing) - wanted)
        report.embed_seconds = report.stages["embedding"]
        report.added = backfill["written"] - len(kept)
        report.removed = len(set(existing) - wanted)
        report.unchanged = len(kept)
        report.documents, report.chunks = backfill["written"], store.chunk_count
        report.seconds = time.perf_counter() - started
        final = indexer.manifest_for(corpus, indexer.encoder.dimensions, cleaned.documents, report.chunks)
        backfill.update(finished=True, written=report.documents)
        final.update(dense_index=store.dense_kind, last_build=report.timing(), backfill=backfill)
        store.save_manifest(final)
        return report

    def stream(self, documents: list[Document]):
        """Batches of finished articles (document, chunks, texts, vectors, failed) as the stages finish them."""
        import ray

        if not documents:
            return
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = context.enable_operator_progress_bars = False  # newsdesk reports progress
        for name in ("ray", "ray.data"):
            logging.getLogger(name).setLevel(logging.WARNING)
        if not ray.is_initialized():
            address = self.settings.ray_address or None  # None: RAY_ADDRESS, else a local Ray on this machine
            ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
        workers = self.settings.ray_workers or max(1, int(ray.cluster_resources().get("CPU", 1) // self._cpus))
        options = {"settings": self.settings.disclosed()}
        blocks = max(workers, min(len(documents) // SPLIT_BATCH, 64 * workers))  # work for every actor
        rows = ray.data.from_items(
            [{"document": json.dumps(doc.to_dict())} for doc in documents], override_num_blocks=blocks
        )
        split = rows.map_batches(
            Splitter,
            batch_size=SPLIT_BATCH,
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=self._cpus,
            fn_constructor_kwargs=options,
        )
        embedded = split.map_batches(
            Embedder,
            batch_size=SPLIT_BATCH,
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=self._cpus,
            num_gpus=self.settings.ray_worker_gpus,
            fn_constructor_kwargs=options,
        )
        yield from embedded.iter_batches(batch_size=WRITE_BATCH, batch_format="numpy")

    @property
    def _cpus(self) -> float:
        return self.settings.ray_worker_cpus

    def _write(self, store, batch: dict, report: BuildReport) -> int:
        """Upsert one batch of finished articles (chunks first, the article record last); their count."""
        from qa.ingest.loaders import LoadProblem

        documents, chunks, vectors, terms = [], {}, {}, {}
        for document, parts, texts, blob, failed in zip(
            batch["document"], batch["chunks"], batch["texts"], batch["vectors"], batch["failed"], strict=True
        ):
            doc = Document(**json.loads(document))
            if failed:
                report.problems.append(LoadProblem(doc.path, str(failed), whole_file=False))
                continue
            documents.append(doc)
            chunks[doc.id] = [Chunk.from_dict(part) for part in json.loads(parts)]
            vectors[doc.id] = np.frombuffer(blob, dtype=np.float32).reshape(len(chunks[doc.id]), -1)
            terms[doc.id] = terms_of(json.loads(texts))  # BM25 reads the texts the embedding read
        store.add(documents, chunks, vectors, terms)
        report.embedded_chunks += sum(len(parts) for parts in chunks.values())
        return len(documents)


def _settings(values: dict) -> Settings:
    """A worker's settings: the driver's, embedding on the CPUs the worker was given."""
    known = {key: value for key, value in values.items() if key in Settings.__dataclass_fields__}
    return Settings(**known).with_(index_threads=max(1, int(known.get("ray_worker_cpus", 1))))


class Splitter:
    """A Ray actor that splits articles into chunks as plain `qa index` does (the model's tokenizer counts)."""

    def __init__(self, settings: dict) -> None:
        from qa.index.encoder import Encoder
        from qa.ingest.chunking import Chunker

        encoder = Encoder(_settings(settings))
        chosen = encoder.settings
        self.chunker = Chunker(encoder.count_tokens, chosen.chunk_tokens, chosen.overlap_sentences, encoder.max_tokens)

    def __call__(self, batch: dict) -> dict:
        from qa.ingest.chunking import embedding_text

        out = {"document": [], "chunks": [], "texts": [], "failed": []}
        for document in batch["document"]:
            doc = Document(**json.loads(document))
            try:
                chunks = self.chunker.run(doc)
                failed = ""
            except Exception as error:  # one article that breaks the sentence splitter must not stop a backfill
                chunks, failed = [], f"could not be split into sentences ({type(error).__name__}: {error})"
            out["document"].append(document)
            out["chunks"].append(json.dumps([chunk.to_dict() for chunk in chunks]))
            out["texts"].append(json.dumps([embedding_text(doc, chunk) for chunk in chunks]))
            out["failed"].append(failed)
        return out


class Embedder:
    """A Ray actor that embeds each article's chunks with the model plain `qa index` uses, loaded once."""

    def __init__(self, settings: dict) -> None:
        from qa.index.encoder import Encoder

        self.encoder = Encoder(_settings(settings))
        self.encoder.warm_up_indexing()

    def __call__(self, batch: dict) -> dict:
        texts = [json.loads(texts) for texts in batch["texts"]]
        flat = [text for group in texts for text in group]
        vectors = self.encoder.run(flat) if flat else np.zeros((0, self.encoder.dimensions), np.float32)
        blobs, cursor = [], 0
        for group in texts:
            blobs.append(np.ascontiguousarray(vectors[cursor : cursor + len(group)], dtype=np.float32).tobytes())
            cursor += len(group)
        return {
            "document": list(batch["document"]),
            "chunks": list(batch["chunks"]),
            "texts": list(batch["texts"]),
            "vectors": blobs,
            "failed": list(batch["failed"]),
        }
