"""Grammar helpers for answer spans, on spaCy's parse: what a span hangs from, names in apposition,
noun phrases, and figures with their ranges and units."""

from __future__ import annotations

from qa.normalise import NUMBER_WORDS
from qa.question import Question
from qa.terms import stem

UNITS = set(
    "second minute hour day week month year decade km kilometre kilometer mile metre meter percent dollar euro "
    "pound ton tonne barrel".split()
)
_PHRASE_POS = {"PROPN", "NOUN", "ADJ", "NUM"}


def appositions(doc, question: Question):
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


def attachment(root) -> set[int]:
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


def distance(doc, start: int, end: int, anchor: int) -> float:
    """Steps in the dependency tree from the span to an anchor word ("36 others injured": 36 -> others ->
    injured), with word distance breaking ties: a figure belongs to the verb or noun it hangs from."""
    if start <= anchor < end:
        return 0.0
    head = doc[start:end].root
    path = _tree_path(head, doc[anchor])
    gap = (start - anchor - 1) if anchor < start else (anchor - end)
    return max(path - 1, 0) + gap / 3


def _tree_path(a, b) -> int:
    """Edges between two tokens in the dependency tree (10 when they share no ancestor)."""
    ancestors = {a.i: 0}
    for depth, token in enumerate(a.ancestors, 1):
        ancestors[token.i] = depth
    if b.i in ancestors:
        return ancestors[b.i]
    for depth, token in enumerate(b.ancestors, 1):
        if token.i in ancestors:
            return depth + ancestors[token.i]
    return 10


def noun_phrases(doc):
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


def expand_left(doc, start: int) -> int:
    """Take in name parts the entity tagger left out, such as the model in "F-15E Strike Eagles"."""
    while start > 0 and (
        doc[start - 1].pos_ == "PROPN"
        or doc[start - 1].pos_ == "NOUN"
        and any(c.isdigit() for c in doc[start - 1].text)
    ):
        start -= 1
    return start


def expand_figure(doc, end: int) -> int:
    """Keep ranges and units with a figure: "four or five minutes", "2,500 km"."""
    if end + 1 < len(doc) and doc[end].lower_ in {"or", "to", "and"} and precise([doc[end + 1]]):
        end += 2
    if end < len(doc) and doc[end].lemma_.lower() in UNITS:
        end += 1
    return end


def precise(tokens) -> bool:
    """A figure written with digits or a number word, not a vague "dozens" or "several"."""
    return any(t.text.replace(",", "").replace(".", "").isdigit() or t.lower_ in NUMBER_WORDS for t in tokens)
