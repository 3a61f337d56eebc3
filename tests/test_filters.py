"""Date, as-of and source filters: parsed from user input, applied inside both searches before the top k."""

from datetime import date

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.errors import InvalidQuestion
from qa.filters import Filters
from qa.index.dense import DenseIndex
from qa.index.keyword import KeywordEntry, KeywordIndex
from qa.types import Chunk, Document

DATED = Document("a", "x", "A", date="2024-02-03", source="Press TV")
LATER = Document("b", "x", "B", date="2024-03-10", source="Reuters")
UNDATED = Document("c", "x", "C")


def test_user_dates_are_read_and_bad_ones_named():
    filters = Filters.of(since="2024-02-01", until="March 1, 2024", sources=" Press TV ")
    assert (filters.since, filters.until, filters.sources) == (date(2024, 2, 1), date(2024, 3, 1), ("Press TV",))
    with pytest.raises(InvalidQuestion, match="'since' must be a date"):
        Filters.of(since="last tuesdayish")
    with pytest.raises(InvalidQuestion, match="swap them"):
        Filters.of(since="2024-03-01", until="2024-02-01")
    assert not Filters.of(since="", sources=[]).active


def test_a_date_range_leaves_out_undated_articles_but_as_of_keeps_them():
    in_february = Filters.of(since="2024-02-01", until="2024-02-29")
    assert [in_february.allows(d) for d in (DATED, LATER, UNDATED)] == [True, False, False]
    as_of = Filters.of(as_of="2024-03-01")
    assert [as_of.allows(d) for d in (DATED, LATER, UNDATED)] == [True, False, True]


def test_sources_match_whatever_the_case():
    assert [Filters.of(sources=["reuters"]).allows(d) for d in (DATED, LATER, UNDATED)] == [False, True, False]


def test_an_index_searches_only_the_chunks_of_allowed_articles():
    from qa.index.store import Index

    documents = {d.id: d for d in (DATED, LATER, UNDATED)}
    chunks = [Chunk(doc_id, 0, 1, documents[doc_id].text[:1]) for doc_id in ("a", "a", "b", "c")]
    vectors = np.eye(4, 8, dtype=np.float32)
    index = Index(documents, chunks, DenseIndex.build(vectors, 8), None)
    found = index.search_dense(vectors[3], 4, Filters.of(sources=["Press TV"]))
    assert sorted(row for row, _ in found) == [0, 1]
    assert sorted(row for row, _ in index.search_dense(vectors[3], 4, Filters.of(until="2024-03-31"))) == [0, 1, 2]


def test_dense_search_filters_inside_faiss_not_after_the_top_n():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(200, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = DenseIndex.build(vectors, 8)
    allowed = np.array([3, 150, 199], dtype=np.int64)
    found = index.search(vectors[0], 2, allowed)  # row 0 itself would win unfiltered
    assert len(found) == 2 and {row for row, _ in found} <= set(allowed.tolist())


def test_keyword_search_filters_inside_bm25_not_after_the_top_n(tmp_path):
    entries = [KeywordEntry(f"north-{i}", 0, "flood in the north") for i in range(50)]
    index = KeywordIndex.build([*entries, KeywordEntry("south", 0, "a flood far away in the south")], tmp_path)
    assert [key for key, _ in index.search("flood north", 5, {"south"})] == [("south", 0)]
    assert index.search("flood north", 5, set()) == []


def test_an_hnsw_index_finds_what_exact_search_finds_and_filters_too():
    from qa.index.dense import index_kind

    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(3000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact, graph = DenseIndex.build(vectors, 16, "flat"), DenseIndex.build(vectors, 16, "hnsw")
    assert (exact.kind, graph.kind) == ("flat", "hnsw")
    queries = vectors[:50] + 0.1 * rng.normal(size=(50, 16)).astype(np.float32)
    overlap = [len({r for r, _ in exact.search(q, 10)} & {r for r, _ in graph.search(q, 10)}) / 10 for q in queries]
    assert sum(overlap) / len(overlap) >= 0.95
    allowed = np.arange(0, 3000, 7, dtype=np.int64)
    assert {r for r, _ in graph.search(queries[0], 10, allowed)} <= set(allowed.tolist())
    assert np.allclose(graph.vectors(), vectors)
    assert [index_kind(n, "auto", 1000) for n in (999, 1001)] == ["flat", "hnsw"]


def test_recency_lifts_newer_articles_and_treats_undated_ones_as_of_unknown_age():
    from qa.index.store import Index
    from qa.retrieval.retriever import Retriever
    from qa.settings import Settings

    documents = {
        "old": Document("old", "x", "Old", date="2024-01-01"),
        "new": Document("new", "x", "New", date="2024-02-09"),
        "undated": Document("undated", "x", "Undated"),
    }
    chunks = [Chunk("old", 0, 1, "x"), Chunk("new", 0, 1, "x"), Chunk("undated", 0, 1, "x")]
    index = Index(documents, chunks, dense=None, keyword=None)  # recency reads dates only
    retriever = Retriever(index, None, Settings(recency_weight=0.2, recency_half_life=7.0))
    ranked = retriever._with_recency([(0, 1.0), (1, 0.95), (2, 0.9)], date(2024, 2, 10))
    assert [row for row, _ in ranked] == [1, 0, 2]
    gains = {row: score - base for (row, score), base in zip(sorted(ranked), (1.0, 0.95, 0.9), strict=True)}
    assert gains[2] == pytest.approx((gains[0] + gains[1]) / 2)  # undated: the mean of the dated gains


_DAYS = st.none() | st.dates(min_value=date(2023, 12, 1), max_value=date(2024, 4, 1))
_OUTLETS = st.sampled_from([None, "", "Press TV", "press tv", "Reuters", "AP"])


@given(
    articles=st.lists(st.tuples(_DAYS, _OUTLETS), max_size=12),
    since=_DAYS,
    until=_DAYS,
    as_of=_DAYS,
    sources=st.lists(st.sampled_from(["Press TV", "REUTERS", "BBC"]), max_size=2),
)
def test_an_index_admits_at_once_exactly_the_articles_it_would_admit_one_by_one(articles, since, until, as_of, sources):
    if since and until and since > until:
        since, until = until, since
    filters = Filters.of(since=since, until=until, as_of=as_of, sources=sources)
    days = np.array([day.toordinal() if day else 0 for day, _ in articles], dtype=np.int64)
    outlets = np.array([(outlet or "").lower() for _, outlet in articles], dtype=object)
    expected = [filters.admits(day.isoformat() if day else None, outlet) for day, outlet in articles]
    assert filters.admitted(days, outlets).tolist() == expected
