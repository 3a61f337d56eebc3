"""The keyword index (tantivy): BM25 over stemmed terms, chunks named by article and number, and growth by new
segments instead of a rebuild."""

from __future__ import annotations

from qa.index.keyword import KeywordEntry, KeywordIndex, terms

# Test fixtures, written for these tests.
FLOODS = [
    KeywordEntry("valencia", 0, "Heavy rain flooded the Spanish city of Valencia on Sunday."),
    KeywordEntry("valencia", 1, "The mayor said pumps were working through the night."),
    KeywordEntry("harbour", 0, "The Old Harbour bridge reopened after repairs to 214 cables."),
]


def test_terms_are_stemmed_lower_case_and_without_stop_words():
    assert terms("The floods in Qa'im: FLOODING") == ["flood", "qaim", "flood"]


def test_search_ranks_by_bm25_and_names_each_chunk(tmp_path):
    index = KeywordIndex.build(FLOODS, tmp_path / "keyword")
    found = index.search("Which city flooded?", 10)
    assert [key for key, _ in found] == [("valencia", 0)] and found[0][1] > 0
    assert index.search("the of and", 10) == [] and index.size == 3


def test_an_update_adds_a_segment_and_leaves_the_previous_index_as_it_was(tmp_path):
    first = KeywordIndex.build(FLOODS, tmp_path / "first")
    files = {f.name: f.stat().st_ino for f in first.folder.iterdir() if f.suffix in (".idx", ".store", ".term")}
    added = [KeywordEntry("wildfire", 0, "A wildfire near Athens forced 300 people from their homes.")]
    grown = first.grown(tmp_path / "grown", added, removed={"harbour"})

    assert [key for key, _ in grown.search("wildfire Athens", 5)] == [("wildfire", 0)]
    assert grown.search("harbour bridge cables", 5) == [] and grown.size == 3
    assert [key for key, _ in first.search("harbour bridge cables", 5)] == [("harbour", 0)]
    assert first.search("wildfire", 5) == [] and first.size == 3
    # the first build's segment files are shared, not copied or rewritten
    linked = {f.name: f.stat().st_ino for f in grown.folder.iterdir()}
    assert files and all(linked.get(name) == inode for name, inode in files.items())
    assert KeywordIndex.load(tmp_path / "grown").size == 3


def test_without_hard_links_the_files_are_copied(tmp_path, monkeypatch):
    first = KeywordIndex.build(FLOODS, tmp_path / "first")

    def no_links(*args):
        raise OSError("hard links not supported")

    monkeypatch.setattr("os.link", no_links)
    grown = first.grown(tmp_path / "grown", [], removed={"harbour"})
    assert grown.size == 2 and [key for key, _ in first.search("harbour bridge", 5)] == [("harbour", 0)]


def _reports(count: int) -> list[KeywordEntry]:
    """Test fixtures: `count` one-chunk articles that mention "flood" more the higher their number."""
    return [KeywordEntry(f"report-{i:03}", 0, "flood " * (1 + i % 7) + f"river {i} levels rose") for i in range(count)]


def test_a_broad_filter_ranks_as_a_narrow_one_whether_or_not_its_articles_are_among_the_best(tmp_path, monkeypatch):
    index = KeywordIndex.build(_reports(60), tmp_path / "keyword")
    everything = [key for key, _ in index.search("flood river", 60)]
    best, worst = {doc for doc, _ in everything[:45]}, {doc for doc, _ in everything[-30:]}
    for allowed in (best, worst):  # among the best hits (found by over-fetching), or all after them (matched)
        monkeypatch.setattr("qa.index.keyword.NARROW_FILTER", 10**6)  # tantivy matches the ids itself
        narrow = index.search("flood river", 5, allowed)
        monkeypatch.setattr("qa.index.keyword.NARROW_FILTER", 10)  # a broad filter: over-fetched hits first
        broad = index.search("flood river", 5, allowed)
        assert broad == narrow and len(broad) == 5 and all(doc in allowed for (doc, _), _ in broad)
    assert [key for key, _ in index.search("flood river", 5, best)] == everything[:5]
