"""Rescore the sentences of retrieved passages against the question: meaning (MiniLM) plus its terms."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from qa.encoder import Encoder
from qa.question import Question
from qa.terms import matches, stems_of
from qa.types import Document, Passage

SIMILARITY_WEIGHT = 0.5
EMBEDDED_SENTENCES = 14
REASON_BONUS = 0.1
_REASON = re.compile(
    r"\b(because|in response to|in retaliation|retaliation for|due to|as a result of|in order to|"
    r"aimed at|so that|since|after|over|response to|to protest|prompted)\b",
    re.I,
)
_PRONOUN_START = re.compile(r"^(?:He|She|They|His|Her|Their)\b")


def _name_stems(question: Question) -> set[str]:
    """The stems of the question's names: what a sentence opening with "He ..." may borrow from the one before."""
    return {term.stem for term in question.proper_terms}


DOCUMENT_MATCH = 0.3


@dataclass(frozen=True)
class Sentence:
    """One candidate supporting sentence, with offsets into its document and how well it fits."""

    passage: Passage
    start: int
    end: int
    text: str
    similarity: float
    coverage: float
    score: float
    predicate: float = 1.0
    rank: int = 0

    @property
    def doc_id(self) -> str:
        return self.passage.document.id


class SentenceScorer:
    """Ranks every sentence of the given passages; `run()` returns them best first."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder

    def run(self, question: Question, passages: list[Passage]) -> list[Sentence]:
        found: dict[tuple[str, int], tuple[Passage, int, int]] = {}
        previous: dict[tuple[str, int], tuple[int, int]] = {}
        for rank, passage in enumerate(passages):
            spans = passage.chunk.sentences
            for index, (start, end) in enumerate(spans):
                found.setdefault((passage.document.id, start), (passage, end, rank))
                if index:
                    previous.setdefault((passage.document.id, start), spans[index - 1])
        if not found:
            return []
        lexical = []
        for (doc_id, start), (passage, end, rank) in found.items():
            doc = passage.document
            text = doc.text[start:end]
            stems = stems_of(text)
            before = previous.get((doc_id, start))
            if before and _PRONOUN_START.match(text):
                stems |= stems_of(doc.text[before[0] : before[1]]) & _name_stems(question)
            coverage = _coverage(question, stems, _title_stems(doc.title), document_stems(doc))
            lexical.append((coverage, -rank, passage, start, end, text, _predicate(question, stems)))
        lexical.sort(key=lambda item: (-item[0], -item[1], item[3]))
        kept = lexical[:EMBEDDED_SENTENCES]
        vectors = self.encoder.run(
            [question.text, *[item[5] for item in kept]], threads=self.encoder.settings.query_threads
        )
        similarities = vectors[1:] @ vectors[0]
        scored = []
        for (coverage, _, passage, start, end, text, predicate), similarity in zip(kept, similarities, strict=True):
            score = SIMILARITY_WEIGHT * float(similarity) + (1 - SIMILARITY_WEIGHT) * coverage
            if question.wh == "why" and _REASON.search(text):
                score += REASON_BONUS
            scored.append(Sentence(passage, start, end, text, float(similarity), coverage, score, predicate))
        scored.sort(key=lambda s: (-s.score, s.doc_id, s.start))
        return [replace(s, rank=rank) for rank, s in enumerate(scored)]


def names_covered(question: Question, sentence: Sentence) -> bool:
    """Whether the sentence's article mentions every name the question gives ("Abu Kamal", "Russia")."""
    stems = document_stems(sentence.passage.document)
    return all(matches(term, stems) for term in question.proper_terms)


@lru_cache(maxsize=512)
def document_stems(doc: Document) -> frozenset[str]:
    """Every stem of an article's headline, date and body, computed once per article."""
    return frozenset(stems_of(f"{doc.title.replace('-', ' ')} {doc.date or ''} {doc.text}"))


@lru_cache(maxsize=512)
def _title_stems(title: str) -> frozenset[str]:
    return frozenset(stems_of(title))


def _predicate(question: Question, sentence: set[str]) -> float:
    """Share of the question's common (not proper-name) terms that the sentence itself speaks of."""
    common = [term for term in question.terms if not term.proper]
    if not common:
        return 1.0
    return sum(matches(term, sentence) for term in common) / len(common)


def _coverage(question: Question, sentence: set[str], title: set[str], document: set[str]) -> float:
    """Weighted share of the question's terms found in the sentence, or in its article (part credit).

    A name in the headline counts in full: the whole article is about it ("... on al-Qa'im").
    """
    total = sum(term.weight for term in question.terms)
    if not total:
        return 0.0
    found = 0.0
    for term in question.terms:
        if matches(term, sentence) or term.proper and matches(term, title):
            found += term.weight
        elif matches(term, document):
            found += term.weight * DOCUMENT_MATCH
    return found / total
