import shutil

from conftest import ABU_KAMAL, CORPUS, QAIM

from qa.ingest.cleaning import clean_articles, clean_corpus
from qa.ingest.loaders import load_corpus

BOILERPLATE = [
    "Back to top button",
    "SHARE THIS ARTICLE",
    "Press TV News Roku",
    "IraqNorth America",
    "News / Iraq",
    "www.presstv.ir",
    "alternate addresses",
]


def _shipped():
    return {doc.path.split("/")[-1]: doc for doc in clean_articles(load_corpus(CORPUS)[0])}


def test_boilerplate_is_removed_and_body_kept():
    for doc in _shipped().values():
        for line in BOILERPLATE:
            assert line not in doc.text
    assert "resulted in the death of 16 people" in _shipped()[QAIM].text


def test_headline_becomes_the_title_and_source_is_found_only_where_the_page_names_it():
    docs = _shipped()
    assert docs[QAIM].title == "Iraq’s resistance groups slam US airstrikes as ‘violation of sovereignty’"
    assert docs[ABU_KAMAL].title == "Iraqi resistance groups condemn deadly US airstrike on border, urge probe"
    assert docs[QAIM].source == "Press TV"
    assert docs[ABU_KAMAL].source is None  # the 2021 page never names its site


def test_dates_come_from_the_text_and_an_undated_article_stays_undated(tmp_path):
    docs = _shipped()
    assert docs[QAIM].date == "2024-02-03"  # from the photo caption, the only date the page gives
    assert docs[ABU_KAMAL].date is None  # "Early on Friday" names no date
    shutil.copy(CORPUS / QAIM, tmp_path / "saved-page.txt")
    assert clean_articles(load_corpus(tmp_path)[0])[0].date == "2024-02-03"


def test_curly_quotes_and_the_body_are_kept_as_written():
    docs = _shipped()
    assert "Hashd al-Sha’abi" in docs[ABU_KAMAL].text
    assert "Anti-US sentiment has been running high in Iraq" in docs[ABU_KAMAL].text
    assert "“Our response began today,” Biden said." in docs[QAIM].text


def test_generic_rules_work_on_another_site(tmp_path):
    page = (
        "Home | World | Europe\nFloods force thousands from their homes in northern Italy\n"
        "By Staff Writer\nMarch 5, 2023\nRescuers evacuated about 4,000 residents on Sunday.\n"
        "The regional governor said more rain was expected.\nFollow us\nSubscribe to our newsletter\n"
    )
    (tmp_path / "floods.txt").write_text(page, "utf-8")
    doc = clean_articles(load_corpus(tmp_path)[0])[0]
    assert doc.title == "Floods force thousands from their homes in northern Italy"
    assert doc.date == "2023-03-05"
    assert doc.text.splitlines()[0].startswith("Rescuers evacuated")
    assert "Subscribe" not in doc.text and "Home |" not in doc.text


def test_short_lines_repeated_across_articles_of_one_source_are_dropped(tmp_path):
    footer = "Copyright Daily Planet | All rights reserved"
    for n in range(2):
        (tmp_path / f"{n}.txt").write_text(f"Headline number {n} for the test\nBody sentence {n} is here.\n{footer}")
    docs = clean_articles(load_corpus(tmp_path)[0])
    assert len(docs) == 2 and all(footer not in doc.text for doc in docs)


def test_a_repeated_sentence_is_kept_and_a_repeated_article_is_kept_once(tmp_path):
    """Two outlets carrying one wire story keep its sentences; the same article twice is one document."""
    wire = "The central bank raised its main rate by half a point to 4.5 percent on Thursday, the agency said."
    (tmp_path / "outlet-a.txt").write_text(f"Rates rise again\nOutlet A's own opening sentence here.\n{wire}\n")
    (tmp_path / "outlet-b.txt").write_text(f"Central bank lifts rates\n{wire}\nOutlet B adds its own view.\n")
    (tmp_path / "outlet-b-copy.txt").write_text(f"Central bank lifts rates\n{wire}\nOutlet B adds its own view.\n")
    cleaned = clean_corpus(load_corpus(tmp_path)[0])
    assert len(cleaned.documents) == 2 and all(wire in doc.text for doc in cleaned.documents)
    assert list(cleaned.duplicates) == [str(tmp_path / "outlet-b.txt")]


def test_each_date_says_where_it_was_found(tmp_path):
    """Test fixtures: a dated record, a page with a dateline, one dated only by its URL or its file name."""
    import json

    records = [
        {"title": "Dated by metadata", "published_at": "2024-05-06T08:00:00Z", "text": "A council vote passed."},
        {"title": "Dated by URL", "url": "https://news.example.org/2023/11/02/vote", "text": "A vote failed."},
    ]
    (tmp_path / "records.jsonl").write_text("\n".join(json.dumps(r) for r in records), "utf-8")
    (tmp_path / "dateline.txt").write_text(
        "Harbour reopens after storm\nJune 7, 2022\nThe harbour reopened on Tuesday.\n"
    )
    (tmp_path / "2021-03-04-storm.txt").write_text("Storm hits coast\nA storm hit the coast on Thursday.\n")
    (tmp_path / "undated.txt").write_text("Nothing dated here\nA fair opened in the town square.\n")
    found = {doc.title: (doc.date, doc.date_from) for doc in clean_articles(load_corpus(tmp_path)[0])}
    assert found["Dated by metadata"] == ("2024-05-06", "metadata")
    assert found["Dated by URL"] == ("2023-11-02", "the URL")
    assert found["Harbour reopens after storm"] == ("2022-06-07", "a caption or a line beside the body")
    assert found["Storm hits coast"] == ("2021-03-04", "the file name")
    assert found["Nothing dated here"] == (None, None)
