"""Writing an index into Milvus: upserts by primary key, deletes by article id, each batch announced in a
`pending` record first so a build cut short is finished or undone by the next one."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

import numpy as np

from qa.types import Chunk, Document

log = logging.getLogger(__name__)
FORMAT_VERSION = 1
TEXT_PART = 16_000  # characters per VARCHAR row: at most 64,000 bytes of UTF-8, under Milvus' 65,535
MAX_TERMS_BYTES = 60_000  # BM25 reads at most this much of one chunk (only pathological chunks are longer)
WRITE_BATCH = 256  # articles per announced batch
INSERT_ROWS = 512


class MilvusWrites:
    """The writes of `MilvusIndex` (which mixes this in and provides the client, names and readers)."""

    # Writing

    def add(
        self,
        documents: list[Document],
        chunks: dict[str, list[Chunk]],
        vectors: dict[str, np.ndarray],
        terms: dict[str, list[str]],
    ) -> None:
        """Upsert articles with their chunks, vectors and BM25 terms: chunks first, the article record last,
        so an article is listed only once it is searchable."""
        for start in range(0, len(documents), WRITE_BATCH):
            batch = documents[start : start + WRITE_BATCH]
            self._write_blob("meta", "pending", {"add": [doc.id for doc in batch], "delete": []})
            rows = []
            for doc in batch:
                for number, (chunk, vector, text) in enumerate(
                    zip(chunks[doc.id], vectors[doc.id], terms[doc.id], strict=True)
                ):
                    rows.append(self._chunk_row(doc, number, chunk, vector, text))
            for part in range(0, len(rows), INSERT_ROWS):
                self.client.upsert(self.chunks_name, rows[part : part + INSERT_ROWS])
            records = [row for doc in batch for row in self._document_rows(doc)]
            for part in range(0, len(records), INSERT_ROWS):
                self.client.upsert(self.records_name, records[part : part + INSERT_ROWS])
        self._write_blob("meta", "pending", {"add": [], "delete": []})

    def delete(self, doc_ids: Iterable[str]) -> None:
        """Remove articles and their chunks (the record first, so a half-deleted article is never listed)."""
        doc_ids = sorted(doc_ids)
        for start in range(0, len(doc_ids), WRITE_BATCH):
            batch = doc_ids[start : start + WRITE_BATCH]
            self._write_blob("meta", "pending", {"add": [], "delete": batch})
            self._delete(batch)
        self._write_blob("meta", "pending", {"add": [], "delete": []})

    def recover(self) -> list[str]:
        """Finish what a build cut short: chunks of an article whose record was never written (or was being
        deleted) are removed. Returns the article ids tidied."""
        pending = self._read_blob("meta", "pending") or {}
        unfinished = set(pending.get("add", [])) - set(self.existing_documents()) | set(pending.get("delete", []))
        if unfinished:
            self._delete(sorted(unfinished))
            log.info("tidied %d articles an interrupted build left half-written in Milvus", len(unfinished))
        self._write_blob("meta", "pending", {"add": [], "delete": []})
        return sorted(unfinished)

    def save_manifest(self, manifest: dict) -> None:
        self.manifest = {**manifest, "format_version": FORMAT_VERSION}
        self._write_blob("meta", "manifest", self.manifest)
        self._summary = None

    def _delete(self, doc_ids: list[str]) -> None:
        self.client.delete(self.records_name, filter=f'kind == "document" and key in {json.dumps(doc_ids)}')
        self.client.delete(self.chunks_name, filter=f"doc_id in {json.dumps(doc_ids)}")
        with self._lock:
            for doc_id in doc_ids:
                self._documents.pop(doc_id, None)

    def _chunk_row(self, doc: Document, number: int, chunk: Chunk, vector: np.ndarray, terms: list[str]) -> dict:
        body = {key: value for key, value in chunk.to_dict().items() if key != "text"}
        return {
            "id": f"{doc.id}:{number}",
            "doc_id": doc.id,
            "date": doc.date or "",
            "source": (doc.source or "").lower()[:512],
            "body": json.dumps(body),
            "terms": _clip(" ".join(terms), MAX_TERMS_BYTES),
            "dense": np.asarray(vector, dtype=np.float32).tolist(),
        }

    def _document_rows(self, doc: Document) -> list[dict]:
        return self._blob_rows(
            "document", doc.id, json.dumps(doc.to_dict()), doc.date or "", doc.source or "", doc.path
        )

    def _blob_rows(self, kind: str, key: str, text: str, day: str = "", source: str = "", path: str = "") -> list[dict]:
        pieces = [text[start : start + TEXT_PART] for start in range(0, len(text), TEXT_PART)] or [""]
        return [
            {
                "id": f"{kind}:{key}#{part}",
                "kind": kind,
                "key": key,
                "part": part,
                "body": piece,
                "date": day,
                "source": source[:512],
                "path": _clip(path, 4096),
                "unused": [0.0, 0.0],
            }
            for part, piece in enumerate(pieces)
        ]

    def _write_blob(self, kind: str, key: str, value: object) -> None:
        rows = self._blob_rows(kind, key, json.dumps(value))
        self.client.upsert(self.records_name, rows)
        self.client.delete(self.records_name, filter=f'kind == "{kind}" and key == "{key}" and part >= {len(rows)}')


def _clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` bytes of UTF-8, on a character boundary."""
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")
