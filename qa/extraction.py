"""Extract the short answer: spans of the expected type from the best sentences, scored and compared."""

from __future__ import annotations

from dataclasses import dataclass, replace

from qa import grammar
from qa.encoder import Encoder
from qa.language import pipeline
from qa.normalise import normalise_answer
from qa.question import Question
from qa.support import Sentence
from qa.terms import matches, stem

SENTENCES = 8
PROXIMITY_WEIGHT = 0.5
FOCUS_WEIGHT = 0.3
AGREEMENT_WEIGHT = 0.05
PRECISION_BONUS = 0.1
APPOSITION_BONUS = 0.3
VAGUE_PENALTY = 0.3
NAME_ANCHOR = 0.5
APPOSITION = "APPOSITION"
OTHER_NAME = "NAME"
_NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"}
_LOCATIVE = set(
    "in at near outside inside from across into northern southern eastern western northeastern northwestern "
    "southeastern southwestern central".split()
)


@dataclass(frozen=True)
class Span:
    """A candidate short answer with its document offsets and the sentence it came from."""

    text: str
    start: int
    end: int
    label: str
    sentence: Sentence
    score: float

    @property
    def key(self) -> str:
        return normalise_answer(self.text)


class SpanExtractor:
    """Finds answer spans of the question's type; `run()` returns them best first."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder

    def warm_up(self) -> None:
        pipeline("entities")

    def run(self, question: Question, sentences: list[Sentence]) -> list[Span]:
        if question.kind == "sentence" or not sentences:
            return []
        top = sentences[:SENTENCES]
        asked = normalise_answer(question.text)
        spans: list[Span] = []
        for sentence, doc in zip(top, pipeline("entities").pipe(s.text for s in top), strict=True):
            anchors = _anchors(doc, question)
            if not any(tokens for weight, tokens in anchors if weight == 1.0):
                continue  # the sentence never says what is asked ("cost", "mayor"): nothing in it answers
            for start, end, label in _candidates(doc, question):
                start = grammar.expand_left(doc, start) if question.kind == "entity" else start
                end = grammar.expand_figure(doc, end) if question.kind == "number" else end
                text = doc[start:end].text.strip(" ,.;:\"'“”")
                if not text or normalise_answer(text) in asked or _inside_question(text, question):
                    continue
                proximity = _proximity(doc, start, end, anchors)
                offset = sentence.start + doc[start].idx
                precise = _fit_bonus(doc, start, end, label, question)
                span = Span(
                    text,
                    offset,
                    offset + len(text),
                    label,
                    sentence,
                    sentence.score + PROXIMITY_WEIGHT * proximity + precise,
                )
                spans.append(span)
        if question.kind == "entity" and question.focus and spans:
            spans = self._focus_fit(question.focus, spans)
        return _with_agreement(spans)

    def _focus_fit(self, focus: str, spans: list[Span]) -> list[Span]:
        """Favour spans that are a kind of the asked-for thing ("which aircraft" -> "F-15E Strike Eagles")."""
        vectors = self.encoder.run([focus, *[s.text for s in spans]], threads=self.encoder.settings.query_threads)
        fits = vectors[1:] @ vectors[0]
        return [replace(s, score=s.score + FOCUS_WEIGHT * float(f)) for s, f in zip(spans, fits, strict=True)]


def _candidates(doc, question: Question):
    """(start, end, label) of every span that could answer: entities of the expected type, names standing
    in apposition to what is asked ("Erbil" in "the city of Erbil"), and names the tagger mislabelled."""
    seen = set()
    for start, end in grammar.appositions(doc, question):
        seen.add((start, end))
        yield start, end, APPOSITION
    for ent in doc.ents:
        if (ent.start, ent.end) in seen:
            continue
        if ent.label_ in question.labels:
            seen.add((ent.start, ent.end))
            yield ent.start, ent.end, ent.label_
        elif question.kind in ("person", "place", "organisation") and ent.label_ in _NAME_LABELS:
            seen.add((ent.start, ent.end))
            yield ent.start, ent.end, OTHER_NAME
    if question.kind == "number":
        for token in doc:
            if not token.ent_type_ and grammar.precise([token]) and (token.i, token.i + 1) not in seen:
                yield token.i, token.i + 1, "CARDINAL"
    if question.kind == "entity":
        for start, end in grammar.noun_phrases(doc):
            if (start, end) not in seen:
                yield start, end, "PHRASE"


def _fit_bonus(doc, start: int, end: int, label: str, question: Question) -> float:
    """Prefer names in apposition to the asked noun, exact figures to "dozens", people for "who", places
    after "in"/"at"; names whose tagged type does not fit come last."""
    if label == APPOSITION:
        return APPOSITION_BONUS
    if label == OTHER_NAME:
        return -PRECISION_BONUS
    if question.kind == "number":
        return PRECISION_BONUS if grammar.precise(doc[start:end]) else -VAGUE_PENALTY
    if question.kind == "person":
        return PRECISION_BONUS if label == "PERSON" else 0.0
    if question.kind == "place" and start > 0 and doc[start - 1].lower_ in _LOCATIVE:
        return PRECISION_BONUS
    return 0.0


def _inside_question(text: str, question: Question) -> bool:
    words = [stem(word) for word in text.split()]
    question_stems = {term.stem for term in question.terms}
    return bool(words) and all(word in question_stems for word in words)


def _anchors(doc, question: Question) -> list[tuple[float, list[int]]]:
    """For each thing the question asks about ("killed", then names such as "Syria"), its weight and tokens."""
    names = [term for term in question.proper_terms if term not in question.key_terms]
    weighted = [(1.0, term) for term in question.key_terms] + [(NAME_ANCHOR, term) for term in names]
    return [(weight, [t.i for t in doc if matches(term, {stem(t.text)})]) for weight, term in weighted]


def _proximity(doc, start: int, end: int, anchors: list[tuple[float, list[int]]]) -> float:
    """How closely the span sits to the asked-about terms, a weighted mean over the terms (1 = attached)."""
    total = sum(weight for weight, _ in anchors)
    if not total:
        return 0.0
    attached = grammar.attachment(doc[start:end].root)
    best = [
        weight
        * max((1.0 if a in attached else 1 / (1 + grammar.distance(doc, start, end, a)) for a in tokens), default=0.0)
        for weight, tokens in anchors
    ]
    return sum(best) / total


def _with_agreement(spans: list[Span]) -> list[Span]:
    """Favour answers that several articles give (not words that merely recur, like "US")."""
    support: dict[str, set[str]] = {}
    for span in spans:
        support.setdefault(span.key, set()).add(span.sentence.doc_id)
    agreed = [replace(s, score=s.score + AGREEMENT_WEIGHT * (len(support[s.key]) - 1)) for s in spans]
    return sorted(agreed, key=lambda s: (-s.score, s.sentence.rank, s.start))
