"""Datelines, bylines and time stamps as news is written. Every text here is a test fixture written for these
tests (made-up places, outlets and people), not a real article."""

import json

import pytest

from qa.ingest.cleaning import clean_articles
from qa.ingest.datelines import read_self_description
from qa.ingest.loaders import load_corpus


@pytest.mark.parametrize(
    ("line", "source", "date"),
    [
        ("WASHINGTON (AP) — The Senate voted 51-49 on Tuesday.", "AP", None),
        ("PORTVILLE, March 4, 2025 (Portville Gazette) — The council voted.", "Portville Gazette", "2025-03-04"),
        ("(CNN) The roughly 50 passengers were moved.", "CNN", None),
        ("London (CNN Business) Shares fell on Monday.", "CNN Business", None),
        ("New York CNN —", "CNN", None),
        ("BEIRUT, Lebanon (Reuters) - Talks resumed.", "Reuters", None),
        ("Harbourtown, 12 May 2023 (Coast Herald) — Ferries stopped.", "Coast Herald", "2023-05-12"),
    ],
)
def test_a_dateline_gives_the_outlet_and_its_date_and_says_so(line, source, date):
    found = read_self_description([line])
    assert (found.source, found.source_from) == (source, "the dateline")
    assert found.date == date and found.date_from == ("the dateline" if date else None)


@pytest.mark.parametrize(
    "line",
    [
        "NEW DELHI — India said on Monday it would respond.",  # a place in capitals, no outlet
        "US President Joe Biden — who spoke on Friday — said nothing.",
        "The attacks targeted the official security headquarters of the group.",
        "Officials said (on Tuesday) that the road would reopen.",
        "The Coastal Weather Office (CWO) said the storm would pass.",  # an abbreviation, not an outlet
    ],
)
def test_ordinary_sentences_and_place_only_datelines_name_no_outlet(line):
    assert read_self_description([line]).source is None


def test_bylines_and_published_or_updated_lines():
    lines = [
        "Bridge vote passes",
        "By Dana Ruiz and Lee Okafor, Coast Herald",
        "Updated 10:02 AM ET, Tue March 5, 2024",
        "Published 3:45 PM EST, Mon March 4, 2024",
        "The council voted on Monday.",
    ]
    found = read_self_description(lines)
    assert (found.author, found.author_from) == ("Dana Ruiz, Lee Okafor", "the byline")
    assert (found.source, found.source_from) == ("Coast Herald", "the byline")
    assert (found.date, found.date_from) == ("2024-03-04", "the “Published” line")  # published before updated
    only_updated = read_self_description(["By Dana Ruiz", "Updated March 5, 2024"])
    assert (only_updated.date, only_updated.author, only_updated.source) == ("2024-03-05", "Dana Ruiz", None)


def test_a_cleaned_article_takes_its_dateline_but_never_over_its_metadata(tmp_path):
    (tmp_path / "portville.txt").write_text(
        "Portville council approves new bridge\n\n"
        "PORTVILLE, March 4, 2025 (Portville Gazette) — The town council voted 7 to 2 on Tuesday to approve "
        "a new bridge over the Elm River.\n\nThe bridge will cost 12 million dollars.\n",
        encoding="utf-8",
    )
    record = {
        "title": "Council vote",
        "source": "Metro Daily",
        "published_at": "2025-03-05",
        "text": "RIVERTON, March 1, 2025 (Portville Gazette) — A second council voted against its own bridge.",
    }
    (tmp_path / "records.jsonl").write_text(json.dumps(record), encoding="utf-8")
    documents = {doc.title: doc for doc in clean_articles(load_corpus(tmp_path)[0])}
    town = documents["Portville council approves new bridge"]
    assert (town.date, town.date_from, town.source, town.source_from) == (
        "2025-03-04",
        "the dateline",
        "Portville Gazette",
        "the dateline",
    )
    council = documents["Council vote"]
    assert (council.date, council.source, council.source_from) == ("2025-03-05", "Metro Daily", "metadata")
