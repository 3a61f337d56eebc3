"""Questions the project makes itself from news articles, to give the reader more news to learn from.

A cloze question is a sentence of an article with one named entity replaced by a question word ("Who
announced the plan on Monday?"); its answer window is a different passage of the same article that names
the same entity and shares words with the sentence, so the reader must match a restatement, not copy the
sentence. Some questions also get a window of the article that shares words but lacks the entity, which
teaches "no answer" when the thing asked about is missing (the method of Lewis et al. 2019 and Dhingra et
al. 2018, "unsupervised" and "semi-supervised" QA by cloze; no learned question generator is used).

Source: RealTimeQA's dev-week corpus, articles published before 2022 only, so that none is a gold article
of a dev quiz question (those were published in the quiz weeks of June to November 2022).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

# The question word for each spaCy entity label: a mapping the method needs, not a rule the product uses.
QUESTION_WORD = {
    "PERSON": "who",
    "ORG": "what organisation",
    "NORP": "what group",
    "GPE": "where",
    "LOC": "where",
    "FAC": "what place",
    "EVENT": "what event",
    "PRODUCT": "what",
    "WORK_OF_ART": "what",
    "LAW": "what law",
    "DATE": "when",
    "CARDINAL": "how many",
    "QUANTITY": "how much",
    "MONEY": "how much money",
    "PERCENT": "what percentage",
}
CUTOFF = "2022-01-01"  # the dev quiz weeks begin in June 2022
MAX_QUESTION_WORDS = 35
_WORD = re.compile(r"\w+")


def _content(text: str) -> frozenset[str]:
    """Lower-cased content words; numbers left out, as a shared number says little about a shared fact."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and not w.isdigit())


def cloze_rows(corpus: Path, rng: random.Random, limit: int, window_sentences: int, sentences_per_article: int = 40):
    """Up to `limit` examples as dicts: question, window text, answer start in it (None: no answer), answer
    text and the article's id; at most three questions per article, for variety."""
    from qa.language import pipeline, sentence_spans

    articles = [json.loads(line) for line in corpus.read_text("utf-8").splitlines() if line.strip()]
    articles = [a for a in articles if a.get("published_at") and a["published_at"] < CUTOFF and a.get("text")]
    rng.shuffle(articles)
    nlp = pipeline("parse")
    rows: list[dict] = []
    for article in articles:
        if len(rows) >= limit:
            break
        text = article["text"]
        spans = sentence_spans(text)[:sentences_per_article]
        if len(spans) < window_sentences + 1:
            continue
        sentences = [text[a:b] for a, b in spans]
        words = [_content(s) for s in sentences]
        made = []
        for i, doc in enumerate(nlp.pipe(sentences)):
            for entity in doc.ents:
                if not _well_formed(entity):
                    continue
                question = _question(sentences[i], entity.start_char, entity.end_char, entity.label_)
                if question is None:
                    continue
                asked = words[i] - _content(entity.text)
                found = _answer_window(spans, sentences, words, i, entity.text, asked, window_sentences, rng)
                if found is not None:
                    made.append((question, found, asked, i, entity.text))
        rng.shuffle(made)
        for question, (lo, hi, start), asked, i, answer in made[:3]:
            rows.append(dict(question=question, window=text[lo:hi], start=start, answer=answer, group=article["id"]))
            if rng.random() < 0.4:
                negative = _negative_window(spans, sentences, words, i, answer, asked, window_sentences)
                if negative is not None:
                    rows.append(
                        dict(
                            question=question,
                            window=text[negative[0] : negative[1]],
                            start=None,
                            answer="",
                            group=article["id"],
                        )
                    )
    return rows[:limit]


# Dependency relations by which an entity only modifies a larger noun phrase ("Iraqi" in "the western Iraqi
# province", "Biden" in "the Biden administration"): the entity is then a piece of a name or a description,
# and a reader trained to answer it learns to cut answers short.
MODIFIER_RELATIONS = frozenset({"amod", "compound", "nmod", "poss"})


def _well_formed(entity) -> bool:
    """Whether spaCy's entity is a plausible answer: a whole name (capitalised) or a figure, not a fragment
    of a longer noun phrase."""
    named = any(t.is_title or t.like_num or t.is_upper for t in entity)
    root = entity.root
    modifier = root.dep_ in MODIFIER_RELATIONS and not entity.start <= root.head.i < entity.end
    return len(entity.text) >= 2 and entity.text[0].isalnum() and named and not modifier


def _question(sentence: str, start: int, end: int, label: str) -> str | None:
    """The sentence as a question about its entity at [start, end), or None when it would be a poor one."""
    word = QUESTION_WORD.get(label)
    if word is None or end - start > 60:
        return None
    before, after = sentence[:start].strip(), sentence[end:].strip().rstrip(".!?;:,\"'”’ ")
    if after.startswith(("'s", "’s", "'", "’")) or before.endswith(("“", '"', "(")):
        return None  # "who's office", or a quotation cut open
    if len(_WORD.findall(before + " " + after)) < 5:
        return None
    question = f"{before} {word} {after}".strip() + "?"
    if len(_WORD.findall(question)) > MAX_QUESTION_WORDS:
        return None
    return question[0].upper() + question[1:]


def _answer_window(spans, sentences, words, i, answer, asked, size, rng):
    """(start, end, answer offset) of a window of other sentences that names `answer` and shares at least
    three content words with the question; the best-sharing sentence wins; None when there is none."""
    best = None
    for j, sentence in enumerate(sentences):
        if j == i or answer not in sentence:
            continue
        shared = len(asked & words[j])
        if shared >= 3 and (best is None or shared > best[0]):
            best = (shared, j)
    if best is None:
        return None
    j = best[1]
    firsts = [f for f in range(max(0, j - size + 1), j + 1) if not f <= i < f + size and f + size <= len(spans)]
    if not firsts:
        return None
    first = rng.choice(firsts)
    lo, hi = spans[first][0], spans[first + size - 1][1]
    offset = spans[j][0] - lo + sentences[j].find(answer)
    return lo, hi, offset


def _negative_window(spans, sentences, words, i, answer, asked, size):
    """The window of the article that shares the most words with the question and never names `answer`."""
    scored = []
    for first in range(0, len(spans) - size + 1):
        if first <= i < first + size:
            continue
        inside = range(first, first + size)
        if any(answer in sentences[k] for k in inside):
            continue
        scored.append((sum(len(asked & words[k]) for k in inside), first))
    if not scored:
        return None
    _, first = max(scored)
    return spans[first][0], spans[first + size - 1][1]
