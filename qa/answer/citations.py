"""Inline citation markers: numbered in order of first use, each pointing at an exact sentence."""

from __future__ import annotations

import re

from qa.answer.reader import Reading
from qa.types import Answer, Citation, Passage

MARKER = re.compile(r"\[(\d+)\]")


class CitationList:
    """Hands out `[n]` markers for sentences, reusing the number of a sentence already cited."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[str, int], int] = {}
        self.citations: list[Citation] = []

    def cite(self, reading: Reading) -> str:
        """The marker for the sentence that holds the reading's answer span."""
        start, end = reading.sentence
        return self.cite_sentence(reading.window.passage, start, end, reading.margin, (reading.start, reading.end))

    def cite_sentence(
        self,
        passage: Passage,
        start: int,
        end: int,
        score: float = 0.0,
        answer: tuple[int, int] | None = None,
    ) -> str:
        """The marker for the sentence `document.text[start:end]` of `passage` (and the answer span in it)."""
        doc, chunk = passage.document, passage.chunk
        key = (doc.id, start)
        if key not in self._numbers:
            number = len(self.citations) + 1
            self._numbers[key] = number
            self.citations.append(
                Citation(
                    number=number,
                    doc_id=doc.id,
                    title=doc.title,
                    date=doc.date,
                    source=doc.source,
                    url=doc.url,
                    passage=chunk.text,
                    passage_start=chunk.start,
                    sentence=doc.text[start:end],
                    sentence_start=start,
                    sentence_end=end,
                    score=round(score, 4),
                    answer_start=answer[0] if answer else None,
                    answer_end=answer[1] if answer else None,
                    date_from=doc.date_from,
                    author=doc.author,
                )
            )
        return f"[{self._numbers[key]}]"


def citation_problems(answer: Answer) -> list[str]:
    """Everything wrong with an answer's markers; empty when every [n] resolves, in order, with no gaps."""
    problems = []
    used = [int(number) for number in MARKER.findall(answer.text)]
    first_use = list(dict.fromkeys(used))
    numbers = [citation.number for citation in answer.citations]
    if first_use != list(range(1, len(first_use) + 1)):
        problems.append(f"markers are not numbered in order of first use: {first_use}")
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"citations are not numbered 1..n: {numbers}")
    for number in set(used) - set(numbers):
        problems.append(f"marker [{number}] has no citation")
    for number in set(numbers) - set(used):
        problems.append(f"citation {number} is never cited in the text")
    for citation in answer.citations:
        offset = citation.sentence_start - citation.passage_start
        if citation.passage[offset : offset + len(citation.sentence)] != citation.sentence:
            problems.append(f"citation {citation.number}: its sentence is not at its span in the passage")
        if citation.answer_start is not None and not (
            citation.sentence_start <= citation.answer_start < citation.answer_end <= citation.sentence_end
        ):
            problems.append(f"citation {citation.number}: the answer span is not inside the quoted sentence")
    if not answer.answered and answer.citations:
        problems.append("a refused answer has citations")
    return problems
