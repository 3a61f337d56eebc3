"""BM25 keyword search over chunks with tantivy, on English-stemmed, stop-word-free terms with apostrophes
folded ("Qa'im" = "Qaim").

The index grows instead of being rebuilt: an update links the previous generation's segment files into the
new one (tantivy never rewrites a file), deletes the changed and removed articles by id and adds the new
chunks as a new segment; tantivy merges segments in the background and computes BM25 over all of them at
question time. Each chunk is stored as its article id and its number within the article.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qa.normalise import fold_apostrophes, stemmer

if TYPE_CHECKING:
    import tantivy

WRITER_MEMORY = 128_000_000  # bytes of tantivy's indexing buffer (split among its threads)
LOCK_FILES = (".tantivy-writer.lock", ".tantivy-meta.lock")
NARROW_FILTER = 500  # articles a filter may keep and still be matched inside tantivy (beyond: over-fetch)
OVERFETCH = 4  # a broad filter is applied to this many times the hits asked for


def normalise(text: str) -> str:
    """Lower case with apostrophes folded: how BM25 and term matching see words."""
    return fold_apostrophes(text.lower())


def terms_of(texts: list[str]) -> list[list[str]]:
    """The stemmed, stop-word-free terms BM25 sees in each text (bm25s' English tokeniser and stop words)."""
    import bm25s

    if not texts:
        return []
    tokens = bm25s.tokenize(
        [normalise(t) for t in texts], stopwords="en", stemmer=stemmer(), return_ids=False, show_progress=False
    )
    return [list(terms) for terms in tokens]


def terms(text: str) -> list[str]:
    """The terms BM25 sees in one text."""
    return terms_of([text])[0]


@dataclass(frozen=True)
class KeywordEntry:
    """One chunk as the keyword index stores it: its article, its number there, and the text to index."""

    doc_id: str
    number: int
    text: str


class KeywordIndex:
    """Ranks chunks, named (article id, number), by BM25 for a query."""

    def __init__(self, index: tantivy.Index, folder: Path) -> None:
        self._index = index
        self.folder = Path(folder)

    @staticmethod
    def _schema() -> tantivy.Schema:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("terms", tokenizer_name="whitespace", index_option="freq")
        builder.add_text_field("doc", stored=True, tokenizer_name="raw")
        builder.add_unsigned_field("number", stored=True)
        return builder.build()

    @classmethod
    def build(cls, entries: Iterable[KeywordEntry], folder: Path, threads: int = 1) -> KeywordIndex:
        """A new index of `entries` in the empty folder `folder`."""
        import tantivy

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        index = cls(tantivy.Index(cls._schema(), path=str(folder)), folder)
        index._write(entries, (), threads)
        return index

    def grown(
        self, folder: Path, entries: Iterable[KeywordEntry], removed: Collection[str], threads: int = 1
    ) -> KeywordIndex:
        """This index with the articles `removed` deleted and `entries` added, written to `folder`; this one
        is left as it was (its files are shared by hard links, which tantivy never modifies)."""
        import tantivy

        self.save(folder)
        grown = KeywordIndex(tantivy.Index.open(str(folder)), folder)
        grown._write(entries, removed, threads)
        return grown

    def _write(self, entries: Iterable[KeywordEntry], removed: Collection[str], threads: int) -> None:

        writer = self._index.writer(heap_size=WRITER_MEMORY, num_threads=max(1, threads))
        for doc_id in removed:
            writer.delete_documents_by_term("doc", doc_id)
        batch: list[KeywordEntry] = []
        for entry in entries:
            batch.append(entry)
            if len(batch) == 5000:
                self._add(writer, batch)
                batch = []
        self._add(writer, batch)
        writer.commit()
        writer.wait_merging_threads()
        for name in LOCK_FILES:
            (self.folder / name).unlink(missing_ok=True)
        self._index.reload()

    @staticmethod
    def _add(writer: tantivy.IndexWriter, batch: list[KeywordEntry]) -> None:
        import tantivy

        for entry, words in zip(batch, terms_of([entry.text for entry in batch]), strict=True):
            writer.add_document(tantivy.Document(terms=" ".join(words), doc=entry.doc_id, number=entry.number))

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        import tantivy

        folder = Path(folder)
        if not tantivy.Index.exists(str(folder)):
            raise ValueError(f"no keyword index in {folder}")
        return cls(tantivy.Index.open(str(folder)), folder)

    def save(self, folder: Path) -> None:
        """Link this index's files into `folder` (a generation being written): no copy, no rewrite."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for file in self.folder.iterdir():
            if file.is_file() and file.name not in LOCK_FILES:
                try:
                    os.link(file, folder / file.name)
                except OSError:  # a file system without hard links: a copy is slower but as good
                    shutil.copy2(file, folder / file.name)

    @property
    def size(self) -> int:
        """Chunks indexed (deleted ones excluded)."""
        return int(self._index.searcher().num_docs)

    def search(self, query: str, n: int, doc_ids: Collection[str] | None = None) -> list[tuple[tuple[str, int], float]]:
        """Up to `n` ((article id, chunk number), score) pairs, best first; only chunks of `doc_ids` when given.

        A filter scores nothing, so the filtered ranking is the unfiltered one with the other articles left
        out. A broad filter (an "as of" day that keeps most of an archive) is applied to the best
        OVERFETCH * n unfiltered hits, which is far cheaper than matching thousands of ids inside tantivy;
        when too few of those pass, and for narrow filters, tantivy matches the ids itself."""
        import tantivy

        words = sorted(set(terms(query)))
        if not words or n <= 0 or (doc_ids is not None and not doc_ids):
            return []
        schema = self._index.schema
        match = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "terms", word)) for word in words]
        )
        searcher = self._index.searcher()
        if doc_ids is None:
            return self._hits(searcher, match, n)
        if len(doc_ids) > NARROW_FILTER:
            fetched = self._hits(searcher, match, OVERFETCH * n)
            kept = [hit for hit in fetched if hit[0][0] in doc_ids]
            if len(kept) >= n or len(fetched) < OVERFETCH * n:  # enough, or every matching chunk was seen
                return kept[:n]
        allowed = tantivy.Query.const_score_query(tantivy.Query.term_set_query(schema, "doc", sorted(doc_ids)), 0.0)
        both = tantivy.Query.boolean_query([(tantivy.Occur.Must, match), (tantivy.Occur.Must, allowed)])
        return self._hits(searcher, both, n)

    @staticmethod
    def _hits(searcher: tantivy.Searcher, query: tantivy.Query, n: int) -> list[tuple[tuple[str, int], float]]:
        found = []
        for score, address in searcher.search(query, n, count=False).hits:
            stored = searcher.doc(address)
            found.append(((stored["doc"][0], int(stored["number"][0])), float(score)))
        return [hit for hit in found if hit[1] > 0]
