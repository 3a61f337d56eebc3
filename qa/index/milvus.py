"""The Milvus backend: chunks (vector, BM25 terms, date, outlet) and articles in two collections on a Milvus
server, searched there and fused in newsdesk like the embedded backend. The same code serves milvus-lite,
Milvus Standalone and a Milvus Distributed cluster: only `NEWSDESK_MILVUS_URI` changes.

Collections `<name>_chunks` and `<name>_records` (articles, and the manifest, as JSON split into rows of at
most TEXT_PART characters). Writes are upserts by primary key, deletes go by article id, and each batch is
announced in a `pending` record first, so a build cut short is finished or undone by the next one.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from qa.errors import IndexMissing, IndexUnusable
from qa.filters import Filters
from qa.index.keyword import terms as keyword_terms
from qa.index.milvus_connection import collection_prefix, connect_client, expression
from qa.index.milvus_writes import FORMAT_VERSION, MilvusWrites
from qa.types import Chunk, Document

if TYPE_CHECKING:
    from pymilvus import MilvusClient

    from qa.settings import Settings

log = logging.getLogger(__name__)
MAX_TOP_K = 16_384  # Milvus' limit on one search
HNSW = {"M": 32, "efConstruction": 80}  # as the embedded HNSW (qa/index/dense.py)
HNSW_SEARCH_DEPTH = 512  # as the embedded HNSW (qa/index/dense.py)
CACHED_DOCUMENTS = 2048
CACHED_DATES = 100_000


class MilvusIndex(MilvusWrites):
    """An index held by a Milvus server; implements `SearchIndex` and the writes the indexer needs."""

    def __init__(self, client: MilvusClient, prefix: str, manifest: dict) -> None:
        self.client = client
        self.chunks_name, self.records_name = f"{prefix}_chunks", f"{prefix}_records"
        self.manifest = manifest
        self._documents: OrderedDict[str, Document] = OrderedDict()  # ids are content hashes: never stale
        self._dates: OrderedDict[str, str | None] = OrderedDict()  # chunk key -> its article's date
        self._lock = threading.Lock()
        self._summary: dict | None = None

    # Opening and creating

    @classmethod
    def connect(cls, settings: Settings) -> MilvusIndex:
        """The index built for these settings; IndexMissing when it was never built (or never finished)."""
        client = connect_client(settings)
        prefix = collection_prefix(settings)
        index = cls(client, prefix, {})
        if not (client.has_collection(index.chunks_name) and client.has_collection(index.records_name)):
            raise IndexMissing(f"no index in Milvus at {settings.milvus_uri} ({prefix}_*): run `qa index` first")
        manifest = index._read_blob("meta", "manifest")
        if manifest is None:
            raise IndexMissing(f"the index {prefix} in Milvus was never finished: run `qa index`")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise IndexUnusable(
                f"the index {prefix} in Milvus has format {manifest.get('format_version')}, this version reads "
                f"{FORMAT_VERSION}: rebuild it with `qa index --rebuild`"
            )
        index.manifest = manifest
        return index

    @classmethod
    def create(cls, settings: Settings, dimensions: int, dense_kind: str) -> MilvusIndex:
        """Empty collections for a new index, replacing any under the same name."""
        from pymilvus import DataType, Function, FunctionType

        client = connect_client(settings)
        index = cls(client, collection_prefix(settings), {})
        for name in (index.chunks_name, index.records_name):
            if client.has_collection(name):
                client.drop_collection(name)

        chunks = client.create_schema(auto_id=False)
        chunks.add_field("id", DataType.VARCHAR, is_primary=True, max_length=64)
        chunks.add_field("doc_id", DataType.VARCHAR, max_length=64)
        chunks.add_field("date", DataType.VARCHAR, max_length=10)  # "" when undated
        chunks.add_field("source", DataType.VARCHAR, max_length=512)  # lower case, for the outlet filter
        chunks.add_field("body", DataType.VARCHAR, max_length=65_535)  # the Chunk as JSON, without its text
        # BM25 reads the same stemmed, stop-word-free terms as the embedded backend, so both rank alike
        chunks.add_field(
            "terms",
            DataType.VARCHAR,
            max_length=65_535,
            enable_analyzer=True,
            analyzer_params={"tokenizer": "standard"},
        )
        chunks.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        chunks.add_field("dense", DataType.FLOAT_VECTOR, dim=dimensions)
        chunks.add_function(
            Function(
                name="bm25", function_type=FunctionType.BM25, input_field_names=["terms"], output_field_names=["sparse"]
            )
        )
        params = client.prepare_index_params()
        if dense_kind == "hnsw":
            params.add_index("dense", index_type="HNSW", metric_type="IP", params=HNSW)
        else:
            params.add_index("dense", index_type="FLAT", metric_type="IP")
        params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        params.add_index("doc_id", index_type="INVERTED")
        client.create_collection(index.chunks_name, schema=chunks, index_params=params, consistency_level="Strong")

        records = client.create_schema(auto_id=False)
        records.add_field("id", DataType.VARCHAR, is_primary=True, max_length=96)
        records.add_field("kind", DataType.VARCHAR, max_length=16)  # "document" or "meta"
        records.add_field("key", DataType.VARCHAR, max_length=64)  # the article id, or the meta record's name
        records.add_field("part", DataType.INT64)
        records.add_field("body", DataType.VARCHAR, max_length=65_535)
        records.add_field("date", DataType.VARCHAR, max_length=10)
        records.add_field("source", DataType.VARCHAR, max_length=512)
        records.add_field("path", DataType.VARCHAR, max_length=4096)
        records.add_field("unused", DataType.FLOAT_VECTOR, dim=2)  # Milvus requires a vector field in a collection
        params = client.prepare_index_params()
        params.add_index("unused", index_type="FLAT", metric_type="L2")
        params.add_index("key", index_type="INVERTED")
        client.create_collection(index.records_name, schema=records, index_params=params, consistency_level="Strong")
        return index

    def drop(self) -> None:
        """Remove both collections (tests and `qa index --rebuild` start from nothing)."""
        for name in (self.chunks_name, self.records_name):
            if self.client.has_collection(name):
                self.client.drop_collection(name)

    # SearchIndex

    @property
    def built_at(self) -> float:
        return float(self.manifest.get("built_at", 0.0))

    @property
    def document_count(self) -> int:
        return self._count(self.records_name, 'kind == "document" and part == 0')

    @property
    def chunk_count(self) -> int:
        return self._count(self.chunks_name, "")

    @property
    def dense_kind(self) -> str:
        return str(self.manifest.get("dense_index", "flat"))

    def search_dense(self, vector: np.ndarray, n: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        query = np.asarray(vector, dtype=np.float32).reshape(-1).tolist()
        params = {"metric_type": "IP", "params": {"ef": max(HNSW_SEARCH_DEPTH, n)}}
        found = self._search(query, "dense", n, filters, params)
        return [(hit["id"], float(hit["distance"])) for hit in found]

    def search_keyword(self, query: str, n: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        words = keyword_terms(query)
        if not words:
            return []
        found = self._search(" ".join(words), "sparse", n, filters, {"metric_type": "BM25"})
        # milvus-lite reports BM25 as a negative distance, Milvus as a positive score: the size is the score
        scored = [(hit["id"], abs(float(hit["distance"]))) for hit in found]
        return [(key, score) for key, score in scored if score > 0]

    def published(self, keys: list[str]) -> dict[str, str | None]:
        with self._lock:
            known = {key: self._dates[key] for key in keys if key in self._dates}
        missing = [key for key in keys if key not in known]
        rows = self._query(self.chunks_name, f"id in {json.dumps(missing)}", ["id", "date"]) if missing else []
        return known | {row["id"]: row["date"] or None for row in rows}

    def passage_parts(self, keys: list[str]) -> dict[str, tuple[Chunk, Document]]:
        if not keys:
            return {}
        rows = self._query(self.chunks_name, f"id in {json.dumps(list(keys))}", ["id", "doc_id", "body"])
        documents = self.documents({row["doc_id"] for row in rows})
        parts = {}
        for row in rows:
            document = documents.get(row["doc_id"])
            if document is None:
                continue  # its article was deleted after the search found the chunk
            data = json.loads(row["body"])
            parts[row["id"]] = (Chunk.from_dict({**data, "text": document.text[data["start"] : data["end"]]}), document)
        return parts

    def sources(self) -> list[str]:
        return sorted({source for _, _, source in self._summarised() if source}, key=str.lower)

    def newest_date(self) -> str | None:
        return max((day for _, day, _ in self._summarised() if day), default=None)

    def recent_documents(self, limit: int) -> list[Document]:
        newest = sorted(self._summarised(), key=lambda row: row[1], reverse=True)[:limit]
        documents = self.documents({doc_id for doc_id, _, _ in newest})
        return [documents[doc_id] for doc_id, _, _ in newest if doc_id in documents]

    # Reading articles

    def documents(self, doc_ids: Iterable[str]) -> dict[str, Document]:
        """The articles with these ids (cached: an id is its content's hash)."""
        wanted = set(doc_ids)
        with self._lock:
            found = {doc_id: self._documents[doc_id] for doc_id in wanted if doc_id in self._documents}
        missing = sorted(wanted - set(found))
        if missing:
            filter_ = f'kind == "document" and key in {json.dumps(missing)}'
            for doc_id, text in self._joined(self._query(self.records_name, filter_, ["key", "part", "body"])).items():
                found[doc_id] = Document(**json.loads(text))
            with self._lock:
                for doc_id in missing:
                    if doc_id in found:
                        self._documents[doc_id] = found[doc_id]
                while len(self._documents) > CACHED_DOCUMENTS:
                    self._documents.popitem(last=False)
        return found

    def existing_documents(self) -> dict[str, str]:
        """{article id: its corpus path} of every article whose writing finished."""
        rows = self._iterate(self.records_name, 'kind == "document" and part == 0', ["key", "path"])
        return {row["key"]: row["path"] for row in rows}

    # Internals

    def _read_blob(self, kind: str, key: str) -> object | None:
        rows = self._query(self.records_name, f'kind == "{kind}" and key == "{key}"', ["key", "part", "body"])
        text = self._joined(rows).get(key)
        return json.loads(text) if text else None

    @staticmethod
    def _joined(rows: list[dict]) -> dict[str, str]:
        parts: dict[str, list[tuple[int, str]]] = {}
        for row in rows:
            parts.setdefault(row["key"], []).append((int(row["part"]), row["body"]))
        return {key: "".join(body for _, body in sorted(pieces)) for key, pieces in parts.items()}

    def _summarised(self) -> list[tuple[str, str, str]]:
        """(article id, date, outlet) of every article, read once per index version."""
        if self._summary is None or self._summary["built_at"] != self.built_at:
            rows = self._iterate(self.records_name, 'kind == "document" and part == 0', ["key", "date", "source"])
            self._summary = {"built_at": self.built_at, "rows": [(r["key"], r["date"], r["source"]) for r in rows]}
        return self._summary["rows"]

    def _search(self, data: object, field: str, n: int, filters: Filters | None, params: dict) -> list[dict]:
        n = min(n, MAX_TOP_K)
        if n <= 0:
            return []
        found = self.client.search(
            self.chunks_name,
            data=[data],
            anns_field=field,
            limit=n,
            filter=expression(filters),
            output_fields=["date"],
            search_params=params,
        )
        hits = list(found[0]) if found else []
        with self._lock:  # recency reads them next: no second round trip for the dates
            for hit in hits:
                self._dates[hit["id"]] = hit["entity"].get("date") or None
                self._dates.move_to_end(hit["id"])
            while len(self._dates) > CACHED_DATES:
                self._dates.popitem(last=False)
        return hits

    def _query(self, collection: str, filter_: str, fields: list[str]) -> list[dict]:
        return list(self.client.query(collection, filter=filter_, output_fields=fields))

    def _iterate(self, collection: str, filter_: str, fields: list[str]) -> Iterable[dict]:
        iterator = self.client.query_iterator(collection, batch_size=1000, filter=filter_, output_fields=fields)
        try:
            while batch := iterator.next():
                yield from batch
        finally:
            iterator.close()

    def _count(self, collection: str, filter_: str) -> int:
        rows = self.client.query(collection, filter=filter_, output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0
