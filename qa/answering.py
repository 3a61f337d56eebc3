"""The answer stage: rescore sentences, extract a typed short answer, or refuse when nothing supports one."""

from __future__ import annotations

import time

from qa.citations import CitationList
from qa.compose import REFUSAL, disagreement_text, sentence_text, short_answer_text
from qa.encoder import Encoder
from qa.extraction import Span, SpanExtractor
from qa.question import Question
from qa.settings import Settings
from qa.support import Sentence, SentenceScorer, document_stems, names_covered
from qa.terms import matches, stems_of
from qa.types import Answer, Passage

CLOSE_SPAN = 0.12
SECOND_SENTENCE = 0.92
MIN_PREDICATE = 0.25
TYPED_FALLBACK_MARGIN = 0.15


class Answerer:
    """Turns retrieved passages into an Answer with exact citations; `run()` does the work."""

    def __init__(self, encoder: Encoder, settings: Settings, *, extract: bool = True) -> None:
        self.settings = settings
        self.scorer = SentenceScorer(encoder)
        self.extractor = SpanExtractor(encoder)
        self.extract = extract

    def warm_up(self) -> None:
        self.extractor.warm_up()

    def run(self, question: Question, passages: list[Passage], timings: dict[str, float]) -> Answer:
        started = time.perf_counter()
        sentences = [s for s in self.scorer.run(question, passages) if names_covered(question, s)]
        timings["rescoring"] = time.perf_counter() - started
        started = time.perf_counter()
        spans = self.extractor.run(question, sentences) if self.extract else []
        timings["extraction"] = time.perf_counter() - started
        sentences = [s for s in sentences if _speaks_of(question, s)] or sentences
        best = sentences[0] if sentences else None
        if best is None or not self._supported(best, question, spans):
            return Answer(
                question=question.text,
                text=REFUSAL,
                answered=False,
                passages=passages,
                related=passages,
                answer_type=question.kind,
                confidence=best.score if best else 0.0,
            )
        citations = CitationList()
        short = None
        if spans:
            competing = _competing(question, spans)
            if len(competing) > 1:
                text = disagreement_text(competing, citations)
            else:
                text, short = short_answer_text(spans[0], citations), spans[0].text
        else:
            text = sentence_text(_supporting(sentences), citations)
        return Answer(
            question=question.text,
            text=text,
            answered=True,
            citations=citations.citations,
            passages=passages,
            short_answer=short,
            answer_type=question.kind if spans else "sentence",
            confidence=best.score,
        )

    def _supported(self, best: Sentence, question: Question, spans: list[Span]) -> bool:
        """Whether the best sentence is close enough to the question and speaks of what it asks; a typed
        question with no answer of its type needs a clearly better sentence."""
        needed = self.settings.min_support
        if question.kind != "sentence" and not spans:
            needed += TYPED_FALLBACK_MARGIN
        supported = best.score >= needed and best.predicate >= MIN_PREDICATE
        return supported and (bool(spans) or _speaks_of(question, best))


def _speaks_of(question: Question, sentence: Sentence) -> bool:
    """Whether the sentence mentions what the question asks about ("vote", "weather", "searching")."""
    stems = stems_of(sentence.text)
    return any(matches(term, stems) for term in question.key_terms)


def _supporting(sentences: list[Sentence]) -> list[Sentence]:
    """The best sentence, and the runner-up when it is nearly as good and says something else."""
    chosen = [sentences[0]]
    if len(sentences) > 1 and sentences[1].score >= SECOND_SENTENCE * sentences[0].score:
        chosen.append(sentences[1])
    return chosen


def _competing(question: Question, spans: list[Span]) -> list[Span]:
    """The best figure per article when articles disagree and the question does not pin one event."""
    if question.kind not in ("number", "date"):
        return spans[:1]
    top, coverage = spans[0].score, spans[0].sentence.coverage
    best_per_doc: dict[str, Span] = {}
    for span in spans:
        if span.score >= top - CLOSE_SPAN and span.sentence.coverage >= coverage - CLOSE_SPAN:
            best_per_doc.setdefault(span.sentence.doc_id, span)
    pinned = _pinning(question, list(best_per_doc.values()))
    if len({span.key for span in pinned}) <= 1:
        return spans[:1]
    return pinned


def _pinning(question: Question, spans: list[Span]) -> list[Span]:
    """Keep the articles that mention every name the question gives (the event it pins)."""
    names = question.proper_terms
    if not names:
        return spans

    def named(span: Span) -> int:
        stems = document_stems(span.sentence.passage.document)
        return sum(matches(term, stems) for term in names)

    most = max(named(span) for span in spans)
    return [span for span in spans if named(span) == most]
