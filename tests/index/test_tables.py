"""Articles and chunks as memory-mapped columns: what is written is read back the same, and files that
disagree with each other are named. (The articles here are test fixtures, not corpus text.)"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.index.tables import read_tables, tabulate, write_tables
from qa.types import Chunk, Document


def _fixture_articles() -> tuple[list[Document], list[Chunk]]:
    first = Document("a1", "Floods hit Valencia. Pumps ran all night.", "Valencia floods", "2025-03-09", "Wire")
    second = Document("b2", "Zürich’s lake froze — a first since 1963.", "Cold snap", None, None, path="x/b.txt")
    chunks = [
        Chunk("a1", 0, 20, first.text[0:20], ((0, 20),)),
        Chunk("a1", 21, 41, first.text[21:41], ((21, 41),)),
        Chunk("b2", 0, len(second.text), second.text, ((0, 23), (24, len(second.text)))),
    ]
    return [first, second], chunks


def test_tables_written_and_read_back_give_the_same_articles_and_chunks(tmp_path):
    documents, chunks = _fixture_articles()
    write_tables(tmp_path, *tabulate(documents, chunks))
    articles, table = read_tables(tmp_path)
    assert [articles[doc.id] for doc in documents] == documents
    assert list(table) == chunks and table[-1] == chunks[-1] and table[1:] == chunks[1:]
    assert list(articles) == ["a1", "b2"] and "b2" in articles and "zz" not in articles
    assert isinstance(table.rows, np.memmap) or isinstance(table.rows.base, np.memmap)  # not read into memory


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=60), min_size=1, max_size=6))
def test_any_text_round_trips_with_chunk_offsets_in_characters(tmp_path_factory, texts):
    documents = [Document(f"d{i}", text, f"title {i}") for i, text in enumerate(texts)]
    chunks = [Chunk(doc.id, 0, len(doc.text), doc.text, ((0, len(doc.text)),)) for doc in documents]
    folder = tmp_path_factory.mktemp("tables")
    write_tables(folder, *tabulate(documents, chunks))
    articles, table = read_tables(folder)
    assert list(table) == chunks and [articles[doc.id].text for doc in documents] == texts


def _rewrite_rows(folder, change) -> None:
    rows = np.load(folder / "chunks.npy").copy()
    change(rows)
    np.save(folder / "chunks.npy", rows)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda rows: rows.__setitem__("article", rows["article"][::-1].copy()), "apart from each other"),
        (lambda rows: rows["end"].__setitem__(0, 999), "outside its article"),
        (lambda rows: rows["article"].__setitem__(2, 7), "not there"),
        (lambda rows: rows["count"].__setitem__(2, 9), "sentences"),
    ],
)
def test_chunk_rows_that_do_not_fit_the_articles_are_named(tmp_path, change, named):
    write_tables(tmp_path, *tabulate(*_fixture_articles()))
    _rewrite_rows(tmp_path, change)
    with pytest.raises(ValueError, match=named):
        read_tables(tmp_path)


def test_texts_that_do_not_fit_their_offsets_are_named(tmp_path):
    write_tables(tmp_path, *tabulate(*_fixture_articles()))
    (tmp_path / "texts.bin").write_bytes((tmp_path / "texts.bin").read_bytes()[:-5])
    with pytest.raises(ValueError, match="text_offsets.npy does not fit texts.bin"):
        read_tables(tmp_path)
