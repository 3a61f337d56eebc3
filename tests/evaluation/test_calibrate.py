"""Which archive questions count as answerable in `eval/calibrate.py --archive`: those whose answer an
article published by the question's day holds. Model-free: the articles are a test fixture written for
this file, not article text."""

from __future__ import annotations

import sys

from qa.ingest.loaders import RawArticle
from qa.settings import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "eval"))
from calibrate import answer_in_archive, archive_articles  # noqa: E402

# Test fixture: two invented articles, the first dated as a feed writes it, the second undated.
ARTICLES = archive_articles(
    [
        RawArticle("a#1", "Regulators agreed on USB-C chargers for all phones.", "Europe acts", "2022-06-20T09:30:00Z"),
        RawArticle("a#2", "The harbour reopened after the storm."),
    ]
)


def question(answer: str, day: str) -> dict:
    return {"question": "Which ...?", "answers": [answer], "question_date": day}


def test_an_answer_published_by_the_question_day_is_in_the_archive():
    assert answer_in_archive(question("Europe", "2022/06/24"), ARTICLES)
    assert answer_in_archive(question("Europe", "2022/06/20"), ARTICLES)


def test_an_answer_published_only_after_the_question_day_is_not():
    assert not answer_in_archive(question("Europe", "2022/06/16"), ARTICLES)


def test_an_undated_article_counts_as_published():
    assert answer_in_archive(question("the harbour", "2020/01/01"), ARTICLES)


def test_answers_match_as_whole_normalised_words():
    assert answer_in_archive(question("USB-C chargers", "2022/06/24"), ARTICLES)
    assert not answer_in_archive(question("Euro", "2022/06/24"), ARTICLES)
    assert not answer_in_archive(question("Asia", "2022/06/24"), ARTICLES)
