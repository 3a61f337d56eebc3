"""The example questions the page offers read as English. Headlines here are test fixtures, not articles."""

from qa.present.render import example_questions
from qa.types import Document


def _doc(title: str, day: str) -> Document:
    return Document(id=title[:8], text="A sentence.", title=title, date=day)


def test_example_questions_name_places_as_english_does():
    questions = example_questions(
        [
            _doc("Floods close schools across the UK", "2024-03-01"),
            _doc("Iraqi groups condemn US airstrike", "2024-03-02"),
            _doc("Storm damages harbour in Portville, Maine", "2024-03-03"),
        ]
    )
    assert "What happened in the UK?" in questions and "What happened in the US?" in questions
    assert any(q.startswith("What happened in Portville") for q in questions)
    assert not any(" in US?" in q or " in UK?" in q for q in questions)
