"""Word overlap between a question and a text: stems, and the question's names an article mentions."""

from hypothesis import given, settings
from hypothesis import strategies as st

from qa.answer.overlap import names_mentioned, stems
from qa.types import Document

# Test fixtures, written for these tests: words whose stems are not a prefix of them ("Germany" -> "germani"),
# apostrophes folded ("Qa'im" = "Qaim", "Iraq’s" = "Iraqs"), abbreviations, stop words and plain words.
WORDS = [
    "Germany",
    "German",
    "Qa'im",
    "Qaim",
    "Iraq’s",
    "Iraqi",
    "U.S.",
    "us",
    "Happiness",
    "happy",
    "the",
    "Studies",
    "studied",
    "Kirby",
    "Abu",
    "Kamal",
    "Tower",
    "22",
    "said",
    "ministries",
    "Minister's",
]
texts = st.lists(st.sampled_from(WORDS), max_size=25).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(question=texts, title=texts, body=texts)
def test_names_mentioned_counts_the_question_names_among_all_the_articles_stems(question, title, body):
    names = stems(question, names_only=True)
    document = Document(id="d", text=body, title=title)
    assert names_mentioned(names, document) == len(names & stems(f"{title} {body}"))


def test_a_name_counts_in_the_headline_or_the_body_with_apostrophes_folded():
    names = stems("What did Germany say about Qaim and Kirby?", names_only=True)
    article = Document(id="d", text="The strike on Qa’im was condemned.", title="Germany’s reply")
    assert names_mentioned(names, article) == 2 and names_mentioned(frozenset(), article) == 0
