"""Citation markers and their invariant, on passages made here (no model)."""

from dataclasses import replace

from qa.answer.citations import CitationList, citation_problems
from qa.answer.compose import disagreement_text, short_answer_text
from qa.answer.reader import Reading, Window
from qa.types import Answer, Chunk, Document, Passage

# Test fixture written for these tests, not a real article.
TEXT = "Fire crews said 14 boats burned in the harbour. The mayor said damage was heavy. Nobody was hurt."


def _reading(doc: Document, needle: str, margin: float = 3.0) -> Reading:
    spans = ((0, 47), (48, 81), (82, 98))
    chunk = Chunk(doc.id, 0, len(doc.text), doc.text, spans)
    start = doc.text.index(needle)
    return Reading(Window(Passage(chunk, doc, 1.0), spans[:2]), start, start + len(needle), margin)


def test_markers_number_in_order_of_first_use_and_each_quotes_the_sentence_holding_the_span():
    doc = Document(id="d1", text=TEXT, title="Harbour fire", date="2025-03-03", source="Test Wire")
    citations = CitationList()
    text = short_answer_text(_reading(doc, "14"), citations)
    answer = Answer(question="q", text=text, answered=True, citations=citations.citations)
    assert text.startswith("**14**, according to Fire crews [1].")
    assert citations.citations[0].sentence == "Fire crews said 14 boats burned in the harbour."
    assert citation_problems(answer) == []
    answer.text += " [2]"
    assert "marker [2] has no citation" in citation_problems(answer)


def test_differing_figures_are_listed_newest_first_with_source_and_date():
    old = Document(id="old", text=TEXT, title="Fire", date="2025-03-01", source="Wire A")
    new = Document(id="new", text=TEXT.replace("14", "16"), title="Fire", date="2025-03-04", source="Wire B")
    citations = CitationList()
    text = disagreement_text([_reading(old, "14"), _reading(new, "16")], citations)
    assert text.index("**16** (Wire B, 2025-03-04)") < text.index("**14** (Wire A, 2025-03-01)")
    answer = Answer(question="q", text=text, answered=True, citations=citations.citations)
    assert citation_problems(answer) == []


def test_a_span_outside_its_quoted_sentence_is_a_problem():
    doc = Document(id="d1", text=TEXT, title="Harbour fire")
    citations = CitationList()
    text = short_answer_text(_reading(doc, "14"), citations)
    moved = replace(citations.citations[0], answer_start=90, answer_end=95)
    answer = Answer(question="q", text=text, answered=True, citations=[moved])
    assert any("not inside the quoted sentence" in p for p in citation_problems(answer))
