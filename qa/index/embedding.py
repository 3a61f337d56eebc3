"""Split new articles into chunks and embed them, the splitting on a second thread behind the embedding."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import numpy as np

from qa.index.build_report import BuildReport, FreshChunks
from qa.index.encoder import Encoder
from qa.index.progress import Progress, ProgressCallback
from qa.ingest.chunking import Chunker, embedding_text
from qa.ingest.cleaning import CleanCorpus
from qa.ingest.loaders import LoadProblem, file_of
from qa.settings import Settings
from qa.types import Chunk, Document


class ChunkEmbedder:
    """Chunks and vectors for the articles an index does not hold yet; `run()` makes them."""

    def __init__(self, settings: Settings, encoder: Encoder) -> None:
        self.settings = settings
        self.encoder = encoder

    def run(
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

    @property
    def _block(self) -> int:
        """Chunks embedded between progress reports (and, while splitting goes on, at a time)."""
        return self.settings.batch_size * 16
