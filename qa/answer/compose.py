"""Write the answer text: short answer and attribution first, then the supporting sentence, with markers."""

from __future__ import annotations

from qa.answer.attribution import attribution
from qa.answer.citations import CitationList
from qa.answer.reader import Reading

REFUSAL = (
    "The articles don't say. Nothing in the indexed articles answers this question; "
    "the closest passages are listed as related reading, not as sources."
)


def short_answer_text(reading: Reading, citations: CitationList) -> str:
    """ "**16**, according to the statement [1]. “…the death of 16 people…” [1]" """
    marker = citations.cite(reading)
    lead = f"**{reading.text}**" + _according(reading)
    return f"{lead} {marker}.\n\n“{_quoted(reading)}” {marker}"


def disagreement_text(readings: list[Reading], citations: CitationList) -> str:
    """Each article's answer with its source and date, newest first, instead of silently picking one."""
    lines = ["The articles give different answers:"]
    for reading in sorted(readings, key=lambda r: r.window.passage.document.date or "", reverse=True):
        marker = citations.cite(reading)
        doc = reading.window.passage.document
        where = ", ".join(part for part in (doc.source, doc.date) if part)
        lead = f"**{reading.text}**" + (f" ({where})" if where else "") + _according(reading)
        lines.append(f"- {lead} {marker}: “{_quoted(reading)}” {marker}")
    return "\n".join(lines)


def _quoted(reading: Reading) -> str:
    start, end = reading.sentence
    return reading.window.passage.document.text[start:end]


def _according(reading: Reading) -> str:
    """ ", according to the PMU" when the sentence attributes its claim to someone other than the answer."""
    who = attribution(_quoted(reading))
    return f", according to {who}" if who and reading.text.lower() not in who.lower() else ""
