"""Articles and chunks as columns on disk, memory-mapped: opening a million-chunk index reads no text.

A generation holds the articles' metadata as one JSON object of columns (`articles.json`), their texts as
one UTF-8 file (`texts.bin`, with byte offsets in `text_offsets.npy`), and the chunks as fixed-width rows
(`chunks.npy`: article row, character start and end, and where the chunk's sentence spans lie in
`sentences.npy`). A chunk's text is its article's text sliced, so nothing is stored twice. `ArticleTable`
and `ChunkTable` read like the dict and list they replace and build a `Document` or `Chunk` only when asked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from qa.types import Chunk, Document

ARTICLE_FIELDS = ("id", "title", "date", "source", "url", "path", "date_from", "source_from", "author", "author_from")
CHUNK_ROW = np.dtype([("article", "<i4"), ("start", "<i4"), ("end", "<i4"), ("first", "<i8"), ("count", "<i4")])
FILES = (  # what a generation holds besides the dense and keyword indexes
    "articles.json",
    "texts.bin",
    "text_offsets.npy",
    "chunks.npy",
    "sentences.npy",
)
CACHED_ARTICLES = 4096


class ArticleTable(Mapping[str, Document]):
    """Articles by id; metadata in memory, each text read from the memory-mapped file when needed."""

    def __init__(self, columns: dict[str, list], chars: np.ndarray, texts: np.ndarray, offsets: np.ndarray) -> None:
        self.columns = columns
        self.chars = chars  # each text's length in characters, to check chunk offsets without reading texts
        self.texts = texts
        self.offsets = offsets
        self.rows = {doc_id: row for row, doc_id in enumerate(columns["id"])}
        self._document = lru_cache(maxsize=CACHED_ARTICLES)(self._build)

    def __getitem__(self, doc_id: str) -> Document:
        return self._document(self.rows[doc_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns["id"])

    def __len__(self) -> int:
        return len(self.columns["id"])

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.rows

    def at(self, row: int) -> Document:
        return self._document(int(row))

    def text(self, row: int) -> str:
        return bytes(self.texts[self.offsets[row] : self.offsets[row + 1]]).decode("utf-8")

    def _build(self, row: int) -> Document:
        fields = {name: self.columns[name][row] for name in ARTICLE_FIELDS}
        return Document(text=self.text(row), **fields)


class ChunkTable(Sequence[Chunk]):
    """Chunks by row, built from their article's text on demand."""

    def __init__(self, rows: np.ndarray, sentences: np.ndarray, articles: ArticleTable) -> None:
        self.rows = rows
        self.sentences = sentences
        self.articles = articles

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, row):  # noqa: ANN001, ANN204 (an int or a slice, as a list takes)
        if isinstance(row, slice):
            return [self[r] for r in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(f"chunk row {row} out of range")
        article, start, end, first, count = self.rows[row].tolist()
        document = self.articles.at(article)
        spans = self.sentences[first : first + count].tolist()
        return Chunk(document.id, start, end, document.text[start:end], tuple(tuple(span) for span in spans))

    def __iter__(self) -> Iterator[Chunk]:
        return (self[row] for row in range(len(self)))

    def article_rows(self) -> np.ndarray:
        """Each chunk's article row."""
        return self.rows["article"]


def tabulate(documents: Iterable[Document], chunks: Iterable[Chunk]) -> tuple[ArticleTable, ChunkTable]:
    """Tables in memory of `documents` and their `chunks` (each article's chunks consecutive)."""
    columns: dict[str, list] = {name: [] for name in ARTICLE_FIELDS}
    encoded, offsets, chars = [], [0], []
    for document in documents:
        for name in ARTICLE_FIELDS:
            columns[name].append(getattr(document, name))
        encoded.append(document.text.encode("utf-8"))
        offsets.append(offsets[-1] + len(encoded[-1]))
        chars.append(len(document.text))
    texts = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    articles = ArticleTable(columns, np.asarray(chars, dtype=np.int64), texts, np.asarray(offsets, dtype=np.int64))
    rows, spans = [], []
    for chunk in chunks:
        rows.append((articles.rows[chunk.doc_id], chunk.start, chunk.end, len(spans), len(chunk.sentences)))
        spans.extend(chunk.sentences)
    table = ChunkTable(np.asarray(rows, dtype=CHUNK_ROW), np.asarray(spans, dtype=np.int32).reshape(-1, 2), articles)
    return articles, table


def write_tables(folder: Path, articles: ArticleTable, chunks: ChunkTable) -> None:
    """Write the tables as the files above, into `folder`."""
    folder = Path(folder)
    stored = {"columns": articles.columns, "chars": articles.chars.tolist()}
    (folder / "articles.json").write_text(json.dumps(stored), encoding="utf-8")
    with (folder / "texts.bin").open("wb") as texts:
        texts.write(memoryview(np.ascontiguousarray(articles.texts)))
    np.save(folder / "text_offsets.npy", np.asarray(articles.offsets, dtype=np.int64))
    np.save(folder / "chunks.npy", np.asarray(chunks.rows, dtype=CHUNK_ROW))
    np.save(folder / "sentences.npy", np.asarray(chunks.sentences, dtype=np.int32).reshape(-1, 2))


def read_tables(folder: Path) -> tuple[ArticleTable, ChunkTable]:
    """The tables under `folder`, memory-mapped; raises ValueError naming a file that does not fit the others."""
    folder = Path(folder)
    stored = json.loads((folder / "articles.json").read_text("utf-8"))
    columns, chars = stored["columns"], np.asarray(stored["chars"], dtype=np.int64)
    for name in ARTICLE_FIELDS:  # a generation written before a field existed has none of it
        columns.setdefault(name, [None] * len(columns["id"]))
    offsets = np.load(folder / "text_offsets.npy", mmap_mode="r")
    size = (folder / "texts.bin").stat().st_size
    texts = np.memmap(folder / "texts.bin", dtype=np.uint8, mode="r") if size else np.zeros(0, dtype=np.uint8)
    rows = np.load(folder / "chunks.npy", mmap_mode="r")
    sentences = np.load(folder / "sentences.npy", mmap_mode="r")
    articles = ArticleTable(columns, chars, texts, offsets)
    _check(articles, offsets, size, rows, sentences)
    return articles, ChunkTable(rows, sentences, articles)


def _check(articles: ArticleTable, offsets: np.ndarray, size: int, rows: np.ndarray, sentences: np.ndarray) -> None:
    """The files agree with each other, checked on whole columns at once (no text is read)."""
    count = len(articles)
    if any(len(values) != count for values in articles.columns.values()) or len(articles.chars) != count:
        raise ValueError("articles.json has columns of different lengths")
    if len(articles.rows) != count:
        raise ValueError("articles.json lists an article twice")
    if len(offsets) != count + 1 or offsets[0] != 0 or offsets[-1] != size or np.any(np.diff(offsets) < 0):
        raise ValueError("text_offsets.npy does not fit texts.bin")
    if rows.dtype != CHUNK_ROW or sentences.ndim != 2 or sentences.shape[1] != 2:
        raise ValueError("chunks.npy or sentences.npy has the wrong layout")
    if not len(rows):
        return
    article = rows["article"]
    if article.min() < 0 or article.max() >= count:
        raise ValueError("chunks.npy points at an article that is not there")
    if np.any(np.diff(article) < 0):  # consecutive per article is what keyword hits are mapped by
        raise ValueError("chunks.npy has an article's chunks apart from each other")
    start, end = rows["start"], rows["end"]
    if np.any(start < 0) or np.any(end <= start) or np.any(end > articles.chars[article]):
        raise ValueError("chunks.npy has a chunk outside its article's text")
    first, spans = rows["first"], rows["count"]
    if np.any(first < 0) or np.any(spans < 0) or np.any(first + spans > len(sentences)):
        raise ValueError("chunks.npy points at sentences that sentences.npy does not hold")
