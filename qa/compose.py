"""Write the answer text: short answer and attribution first, then the supporting sentence, with markers."""

from __future__ import annotations

from qa.attribution import attribution
from qa.citations import CitationList
from qa.extraction import Span
from qa.support import Sentence

REFUSAL = (
    "The articles don't say. Nothing in the indexed articles answers this question; "
    "the closest passages are listed as related reading, not as sources."
)


def short_answer_text(span: Span, citations: CitationList) -> str:
    """ "**16**, according to the PMU [1]. “…the death of 16 people…” [1]" """
    marker = citations.cite(span.sentence)
    lead = f"**{span.text}**" + _according(span)
    return f"{lead} {marker}.\n\n“{span.sentence.text}” {marker}"


def disagreement_text(spans: list[Span], citations: CitationList) -> str:
    """Each article's figure with its date, newest first, instead of silently picking one."""
    lines = ["The articles give different answers:"]
    for span in sorted(spans, key=lambda s: s.sentence.passage.document.date or "", reverse=True):
        marker = citations.cite(span.sentence)
        doc = span.sentence.passage.document
        when = f" ({doc.date})" if doc.date else ""
        lead = f"**{span.text}**{when}" + _according(span)
        lines.append(f"- {lead} {marker}: “{span.sentence.text}” {marker}")
    return "\n".join(lines)


def _according(span: Span) -> str:
    """ ", according to the PMU" when the sentence attributes its claim to someone other than the answer."""
    who = attribution(span.sentence.text)
    return f", according to {who}" if who and span.text.lower() not in who.lower() else ""


def sentence_text(sentences: list[Sentence], citations: CitationList) -> str:
    """The best supporting sentence(s), each with its marker."""
    return " ".join(f"{sentence.text} {citations.cite(sentence)}" for sentence in sentences)
