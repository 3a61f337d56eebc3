"""A timeline for a topic question ("what happened at Qa'im?"): from each relevant article, the sentence
that speaks most to the question, ordered by publication date and cited."""

from __future__ import annotations

from qa.answer.citations import CitationList
from qa.answer.compose import REFUSAL
from qa.answer.overlap import stems
from qa.types import Answer, Passage


def timeline_answer(question: str, passages: list[Passage], limit: int = 10) -> Answer:
    """Up to `limit` dated entries, oldest first (undated articles last), one sentence per article."""
    terms = stems(question)
    best: dict[str, tuple[int, float, Passage, tuple[int, int]]] = {}
    for passage in passages:
        text = passage.document.text
        for start, end in passage.chunk.sentences or ((passage.chunk.start, passage.chunk.end),):
            overlap = len(terms & stems(text[start:end]))
            current = best.get(passage.document.id)
            if overlap and (current is None or (overlap, passage.score) > current[:2]):
                best[passage.document.id] = (overlap, passage.score, passage, (start, end))
    if not best:
        return Answer(
            question,
            REFUSAL,
            answered=False,
            passages=passages,
            related=passages,
            refusal_reason="no retrieved sentence shares a content word with the question",
        )
    chosen = sorted(best.values(), key=lambda item: (-item[0], -item[1]))[:limit]
    chosen.sort(key=lambda item: (item[2].document.date is None, item[2].document.date or "", item[2].document.title))
    citations = CitationList()
    lines = ["What the articles report, oldest first:"]
    for _, _, passage, (start, end) in chosen:
        marker = citations.cite_sentence(passage, start, end, passage.score)
        doc = passage.document
        where = f" ({doc.source})" if doc.source else ""
        lines.append(f"- **{doc.date or 'undated'}**{where}: “{doc.text[start:end]}” {marker}")
    return Answer(
        question=question,
        text="\n".join(lines),
        answered=True,
        citations=citations.citations,
        passages=passages,
        answer_type="timeline",
    )
