import json

from qa.ingest.loaders import load_corpus


def test_loads_text_markdown_html_and_json_records(tmp_path):
    (tmp_path / "a.txt").write_text("Plain text article. It has sentences.", "utf-8")
    (tmp_path / "b.md").write_text("# A headline\n\nMarkdown body sentence here.", "utf-8")
    (tmp_path / "c.html").write_text("<html><body><article><p>Body of the page.</p></article></body></html>", "utf-8")
    records = [
        {"text": "First record body.", "title": "One", "published_at": "2024-01-02", "source": "Wire"},
        {"text": "Second record body.", "url": "https://example.org/2"},
    ]
    (tmp_path / "d.jsonl").write_text("\n".join(json.dumps(r) for r in records), "utf-8")
    (tmp_path / "e.json").write_text(json.dumps({"text": "Single JSON article.", "title": "Solo"}), "utf-8")
    articles, problems = load_corpus(tmp_path)
    assert problems == []
    assert len(articles) == 6
    one = next(a for a in articles if a.title == "One")
    assert (one.date, one.source) == ("2024-01-02", "Wire")
    assert next(a for a in articles if a.key.endswith("c.html")).is_html


def test_bad_files_are_reported_by_name_and_skipped(tmp_path, caplog):
    (tmp_path / "good.txt").write_text("A good article. It stays.", "utf-8")
    (tmp_path / "empty.txt").write_text("", "utf-8")
    (tmp_path / "blank.md").write_text("  \n\t\n", "utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (tmp_path / "lines.jsonl").write_text('{"text": "Valid line."}\n{not json}\n{"title": "no text"}\n', "utf-8")
    articles, problems = load_corpus(tmp_path)
    assert [a.text for a in articles] == ["A good article. It stays.", "Valid line."]
    reasons = {p.path.split("/")[-1]: p.reason for p in problems}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.md"] == "empty file"
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert "malformed JSON" in reasons["lines.jsonl:2"]
    assert "no 'text'" in reasons["lines.jsonl:3"]
    assert "latin1.txt" in caplog.text


def test_empty_or_missing_folder_gives_nothing_and_says_so(tmp_path):
    assert load_corpus(tmp_path) == ([], [])
    articles, problems = load_corpus(tmp_path / "nope")
    assert articles == [] and "no such file" in problems[0].reason


def test_no_file_can_stop_the_others_from_loading(tmp_path):
    """Hostile inputs written for this test: deep nesting, an oversized article, a file of only bad records."""
    (tmp_path / "good.txt").write_text("A good article. It stays.", "utf-8")
    (tmp_path / "nested.json").write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    deep = '{"text": "Deep line.", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}"
    (tmp_path / "mixed.jsonl").write_text(deep + '\n{"text": "Shallow line."}\n', "utf-8")
    (tmp_path / "huge.txt").write_text("word " * 3000, "utf-8")
    (tmp_path / "nothing.jsonl").write_text('{"title": "no text"}\n[1, 2]\n', "utf-8")
    articles, problems = load_corpus(tmp_path, max_article_chars=10_000)
    assert sorted(a.text for a in articles) == ["A good article. It stays.", "Shallow line."]
    by_name = {p.path.split("/")[-1]: p for p in problems}
    assert "nested too deeply" in by_name["nested.json"].reason and by_name["nested.json"].whole_file
    assert "nested too deeply" in by_name["mixed.jsonl:1"].reason and not by_name["mixed.jsonl:1"].whole_file
    assert "over the limit of 10,000" in by_name["huge.txt"].reason and by_name["huge.txt"].whole_file
    assert all(p.whole_file for p in problems if p.path.split("/")[-1].startswith("nothing.jsonl"))
