"""Storing uploaded articles in the corpus folder: identical files kept once, hidden files refused by name
(no model). The article texts are test fixtures written here."""

from __future__ import annotations

from qa.ingest.uploads import UPLOAD_FOLDER, store_uploads
from qa.settings import Settings

ARTICLE = "PORTVILLE — The harbour reopened on Tuesday after a storm closed it for nine days. (Test fixture.)"


def test_identical_uploads_are_kept_once_and_hidden_files_are_refused_by_name(tmp_path):
    settings = Settings(corpus_dir=tmp_path / "corpus")
    sources = []
    for n in range(5):
        source = tmp_path / f"in{n}" / "harbour.txt"
        source.parent.mkdir()
        source.write_text(ARTICLE)
        sources.append(source)
    hidden = tmp_path / ".notes.txt"
    hidden.write_text(ARTICLE + " More.")

    stored, problems = store_uploads([*sources, hidden], settings)

    assert [path.name for path in stored] == ["harbour.txt"]
    assert len(list((tmp_path / "corpus" / UPLOAD_FOLDER).iterdir())) == 1
    assert sum("kept once" in problem.reason for problem in problems) == 4
    assert any(problem.path == ".notes.txt" and "hidden" in problem.reason for problem in problems)
    again, problems = store_uploads([sources[0]], settings)  # a later upload of the same file
    assert again == [] and "kept once" in problems[0].reason
