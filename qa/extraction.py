"""Extract the short answer: spans of the expected type from the best sentences, scored and compared."""

from __future__ import annotations

from dataclasses import dataclass

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
APPOSITION = "APPOSITION"
OTHER_NAME = "NAME"
_NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"}
NAME_ANCHOR = 0.5
_LOCATIVE = {
    "in",
    "at",
    "near",
    "outside",
    "inside",
    "from",
    "across",
    "into",
    "northern",
    "southern",
    "eastern",
    "western",
    "northeastern",
    "northwestern",
    "southeastern",
    "southwestern",
    "central",
}
VAGUE_PENALTY = 0.3
UNITS = set(
    [
        "second",
        "minute",
        "hour",
        "day",
        "week",
        "month",
        "year",
        "decade",
        "km",
        "kilometre",
        "kilometer",
        "mile",
        "metre",
        "meter",
        "percent",
        "dollar",
        "euro",
        "pound",
        "ton",
        "tonne",
        "barrel",
    ]
)
_PHRASE_POS = {"PROPN", "NOUN", "ADJ", "NUM"}


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
                start = _expand_left(doc, start) if question.kind == "entity" else start
                end = _expand_figure(doc, end) if question.kind == "number" else end
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
        return [_rescored(s, s.score + FOCUS_WEIGHT * float(f)) for s, f in zip(spans, fits, strict=True)]


def _candidates(doc, question: Question):
    """(start, end, label) of every span that could answer: entities of the expected type, names standing
    in apposition to what is asked ("Erbil" in "the city of Erbil"), and names the tagger mislabelled."""
    seen = set()
    for start, end in _appositions(doc, question):
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
            if not token.ent_type_ and _precise([token]) and (token.i, token.i + 1) not in seen:
                yield token.i, token.i + 1, "CARDINAL"
    if question.kind == "entity":
        for start, end in _noun_phrases(doc):
            if (start, end) not in seen:
                yield start, end, "PHRASE"


def _appositions(doc, question: Question):
    """Names tied by grammar to the asked-for noun: "the city of Erbil", "Asa'ib Ahl al-Haq, a faction",
    "Press Secretary John F. Kirby"."""
    asked = [question.focus] if question.focus else []
    asked += [term.word for term in question.key_terms]
    stems = {stem(word) for word in asked if word}
    for token in doc:
        if token.pos_ != "NOUN" or stem(token.text) not in stems:
            continue
        related = [c for c in token.children if c.dep_ == "appos"]
        related += [
            g for c in token.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"
        ]
        if token.dep_ == "appos":
            related.append(token.head)
        if token.dep_ == "compound" and token.head.pos_ == "PROPN":
            related.append(token.head)
        for name in related:
            if name.pos_ != "PROPN":
                continue
            words = [t for t in name.subtree if t.pos_ in ("PROPN", "PUNCT") and t.text not in ",;"]
            words = [t for t in words if t.i <= name.i or t.head.i <= name.i + 1]
            if words:
                yield min(t.i for t in words), max(t.i for t in words) + 1


def _fit_bonus(doc, start: int, end: int, label: str, question: Question) -> float:
    """Prefer names in apposition to the asked noun, exact figures to "dozens", people for "who", places
    after "in"/"at"; names whose tagged type does not fit come last."""
    if label == APPOSITION:
        return APPOSITION_BONUS
    if label == OTHER_NAME:
        return -PRECISION_BONUS
    if question.kind == "number":
        return PRECISION_BONUS if _precise(doc[start:end]) else -VAGUE_PENALTY
    if question.kind == "person":
        return PRECISION_BONUS if label == "PERSON" else 0.0
    if question.kind == "place" and start > 0 and doc[start - 1].lower_ in _LOCATIVE:
        return PRECISION_BONUS
    return 0.0


def _expand_left(doc, start: int) -> int:
    """Take in name parts the entity tagger left out, such as the model in "F-15E Strike Eagles"."""
    while start > 0 and (
        doc[start - 1].pos_ == "PROPN"
        or doc[start - 1].pos_ == "NOUN"
        and any(c.isdigit() for c in doc[start - 1].text)
    ):
        start -= 1
    return start


def _precise(tokens) -> bool:
    """A figure written with digits or a number word, not a vague "dozens" or "several"."""
    from qa.normalise import NUMBER_WORDS

    return any(t.text.replace(",", "").replace(".", "").isdigit() or t.lower_ in NUMBER_WORDS for t in tokens)


def _noun_phrases(doc):
    """Runs of name-like words ending in a noun that hold a proper name or a number ("F-15E Strike Eagles")."""
    start = None
    for token in [*doc, None]:
        inside = token is not None and (token.pos_ in _PHRASE_POS or token.text == "-")
        if inside and start is None:
            start = token.i
        if not inside and start is not None:
            end = token.i if token is not None else len(doc)
            while end > start and doc[end - 1].pos_ not in ("NOUN", "PROPN"):
                end -= 1
            if end > start and any(t.pos_ in ("PROPN", "NUM") for t in doc[start:end]):
                yield start, end
            start = None


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
    attached = _attachment(doc[start:end].root)
    best = [
        weight * max((1.0 if a in attached else 1 / (1 + _distance(doc, start, end, a)) for a in tokens), default=0.0)
        for weight, tokens in anchors
    ]
    return sum(best) / total


def _attachment(root) -> set[int]:
    """The words a span is said of: its path up to the governing verb ("death of 16 people" -> death,
    resulted), that verb's complements ("left 36 others injured" -> injured), and the span's own
    prepositional modifiers ("900 in Syria")."""
    words = {root.i}
    for child in root.children:
        if child.dep_ == "prep":
            words.update(t.i for t in child.subtree)
    token = root
    while token.head.i != token.i:
        token = token.head
        words.add(token.i)
        if token.pos_ in ("VERB", "AUX"):
            words.update(c.i for c in token.children if c.dep_ in ("oprd", "acomp", "xcomp", "attr"))
            break
    return words


def _distance(doc, start: int, end: int, anchor: int) -> float:
    """Steps in the dependency tree from the span to an anchor word ("36 others injured": 36 -> others ->
    injured), with word distance breaking ties: a figure belongs to the verb or noun it hangs from."""
    if start <= anchor < end:
        return 0.0
    head = doc[start:end].root
    path = _tree_path(head, doc[anchor])
    gap = (start - anchor - 1) if anchor < start else (anchor - end)
    return max(path - 1, 0) + gap / 3


def _tree_path(a, b) -> int:
    ancestors = {a.i: 0}
    for depth, token in enumerate(a.ancestors, 1):
        ancestors[token.i] = depth
    if b.i in ancestors:
        return ancestors[b.i]
    for depth, token in enumerate(b.ancestors, 1):
        if token.i in ancestors:
            return depth + ancestors[token.i]
    return len(ancestors) + depth if ancestors else 10


def _expand_figure(doc, end: int) -> int:
    """Keep ranges and units with a figure: "four or five minutes", "2,500 km"."""
    if end + 1 < len(doc) and doc[end].lower_ in {"or", "to", "and"} and _precise([doc[end + 1]]):
        end += 2
    if end < len(doc) and doc[end].lemma_.lower() in UNITS:
        end += 1
    return end


def _rescored(span: Span, score: float) -> Span:
    return Span(span.text, span.start, span.end, span.label, span.sentence, score)


def _with_agreement(spans: list[Span]) -> list[Span]:
    """Favour answers that several articles give (not words that merely recur, like "US")."""
    support: dict[str, set[str]] = {}
    for span in spans:
        support.setdefault(span.key, set()).add(span.sentence.doc_id)
    agreed = [_rescored(s, s.score + AGREEMENT_WEIGHT * (len(support[s.key]) - 1)) for s in spans]
    return sorted(agreed, key=lambda s: (-s.score, s.sentence.rank, s.start))
