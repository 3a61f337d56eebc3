"""The reader's training windows: which questions, which windows hold their answers, and which "no answer"
windows teach it to refuse.

Windows are three sentences, as the answer stage reads them at question time. An answerable question gives
one window holding its answer (the answer's sentence first, middle or last, at random) and, some of the
time, "no answer" windows: one of the same paragraph without the answer, the window of another paragraph
of the same article that shares most words with the question, and the window of another article that does
(what retrieval puts before the reader). An unanswerable question (SQuAD 2.0's look-alikes) gives the
window of its paragraph that shares most words with it.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from qa.answer.answerer import WINDOW_SENTENCES  # train on windows the size the answer stage reads

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

# Where the rows come from: name -> (file under shared/traindata, share of its answerable questions kept).
SOURCES = {
    "squad11-train": ("squad11_train.jsonl.gz", 0.36),
    "squadshifts-wiki": ("squadshifts_new_wiki.jsonl.gz", 0.8),
    "squadshifts-amazon": ("squadshifts_amazon_reviews.jsonl.gz", 0.4),
    "tydiqa-en": ("tydiqa_en_train.jsonl.gz", 1.0),
    "squad20-dev": ("squad20_dev.jsonl", 1.0),  # dev-half articles: the held-out half is never trained on
}
# How often an answerable question also gives each kind of "no answer" window.
SAME_PARAGRAPH, SAME_ARTICLE, OTHER_ARTICLE = 0.25, 0.25, 0.15
OTHER_ARTICLE_POOL = 400  # windows of other articles drawn per question to find the most similar one


@dataclass
class Example:
    question: str
    window: str
    answer_start: int | None  # character offset in `window`; None: the window does not answer
    answer_text: str
    group: str  # the article it comes from, for the held-out split
    source: str = ""


def held_out(group: str) -> bool:
    """The SQuAD dev articles never trained on (half of them, 21 of 48, by title): the CI gate and the
    refusal model's fitting ask about them."""
    return int(hashlib.sha1(group.encode()).hexdigest(), 16) % 2 == 0


@functools.lru_cache(maxsize=1 << 18)
def words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text.lower()))


def window_at(spans: list[tuple[int, int]], first: int) -> tuple[int, int]:
    """The character range of WINDOW_SENTENCES sentences from sentence `first` (fewer at the end)."""
    first = max(0, min(first, len(spans) - 1))
    last = min(len(spans), first + WINDOW_SENTENCES) - 1
    return spans[first][0], spans[last][1]


def answer_window(spans: list[tuple[int, int]], answer: dict, rng: random.Random) -> tuple[int, int] | None:
    """The character range of a window holding `answer` ({text, start}), its sentence first, middle or last
    at random; None when the answer lies outside the sentences or across a break the window cuts."""
    start, end = answer["start"], answer["start"] + len(answer["text"])
    centre = next((i for i, (a, b) in enumerate(spans) if a <= start < b), None)
    if centre is None:
        return None
    lo, hi = window_at(spans, centre - rng.randrange(WINDOW_SENTENCES))
    return (lo, hi) if lo <= start and end <= hi else None


def _holds_any(text: str, answers: list[str]) -> bool:
    return any(answer and answer in text for answer in answers)


def read_rows(path: Path, source: str) -> list[dict]:
    """Rows of a traindata file: question, context, answers [{text, start}], group (the article's title)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    return [
        {
            "question": r["question"],
            "context": r["context"],
            "answers": r["answers"],
            "group": r["title"],
            "source": source,
        }
        for r in records
    ]


def source_rows(source: str) -> list[dict]:
    """Every row of one of SOURCES, none left out."""
    return read_rows(SHARED / "traindata" / SOURCES[source][0], source)


def load_rows(rng: random.Random, share: float = 1.0, after: float = 0.0) -> list[dict]:
    """Every source's rows, each keeping its SOURCES share of answerable questions (times `share`) less the
    rows a run with share `after` kept (the same draws, so a second stage trains on questions the first did
    not see); a source's unanswerable questions, and the held-out articles' questions, are all kept."""
    rows = []
    for source, (_, keep) in SOURCES.items():
        for row in source_rows(source):
            if not row["answers"] or keep * after <= rng.random() < keep * share or _held_out_row(row):
                rows.append(row)
    return rows


def _held_out_row(row: dict) -> bool:
    return row["source"] == "squad20-dev" and held_out(row["group"])


class Windows:
    """Every three-sentence window of every paragraph, split once, with its words, for choosing negatives."""

    def __init__(self, rows: list[dict]) -> None:
        from qa.language import sentence_spans

        contexts = sorted({row["context"] for row in rows})
        self.spans = dict(zip(contexts, _split(contexts, sentence_spans), strict=True))
        self.of_article: dict[str, list[str]] = {}
        for row in rows:
            paragraphs = self.of_article.setdefault(row["group"], [])
            if row["context"] not in paragraphs:
                paragraphs.append(row["context"])
        self.every = [
            (group, context[slice(*window_at(self.spans[context], i))])
            for group, contexts in self.of_article.items()
            for context in contexts
            for i in range(len(self.spans[context]))
        ]

    def of(self, context: str) -> list[str]:
        spans = self.spans[context]
        return [context[slice(*window_at(spans, i))] for i in range(len(spans))]


def _split(contexts: list[str], sentence_spans) -> list[list[tuple[int, int]]]:
    return [sentence_spans(context) or [(0, len(context))] for context in contexts]


def make_examples(rows: list[dict], rng: random.Random) -> list[Example]:
    """The training windows of `rows` (see the module's docstring)."""
    windows = Windows(rows)
    examples = []
    for row in rows:
        context, spans = row["context"], windows.spans[row["context"]]
        asked = words(row["question"])

        def example(window: str, start: int | None = None, text: str = "", row: dict = row) -> Example:
            return Example(row["question"], window, start, text, row["group"], row["source"])

        if not row["answers"]:
            best = max(windows.of(context), key=lambda window: len(asked & words(window)))
            examples.append(example(best))
            continue
        answer, texts = row["answers"][0], [a["text"] for a in row["answers"]]
        window = answer_window(spans, answer, rng)
        if window is None:
            continue
        lo, hi = window
        examples.append(example(context[lo:hi], answer["start"] - lo, answer["text"]))
        free = [w for w in windows.of(context) if not _holds_any(w, texts)]
        if free and rng.random() < SAME_PARAGRAPH:
            examples.append(example(rng.choice(free)))
        if rng.random() < SAME_ARTICLE:
            others = [
                w
                for other in windows.of_article[row["group"]]
                if other != context
                for w in windows.of(other)
                if not _holds_any(w, texts)
            ]
            if others:
                examples.append(example(max(others, key=lambda w: len(asked & words(w)))))
        if rng.random() < OTHER_ARTICLE:
            pool = [rng.choice(windows.every) for _ in range(OTHER_ARTICLE_POOL)]
            pool = [w for group, w in pool if group != row["group"] and not _holds_any(w, texts)]
            if pool:
                examples.append(example(max(pool, key=lambda w: len(asked & words(w)))))
    return examples


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(training, held-out) windows: SQuAD dev articles of the held-out half are never trained on."""
    dev = [e for e in examples if e.source == "squad20-dev" and held_out(e.group)]
    train = [e for e in examples if not (e.source == "squad20-dev" and held_out(e.group))]
    return train, dev


def save_examples(path: Path, train: list[Example], dev: list[Example], recipe: dict) -> None:
    """Both sets of windows as gzipped JSON lines after a header with the `recipe` that built them."""
    import dataclasses

    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(json.dumps({"recipe": recipe}) + "\n")
        for name, examples in (("train", train), ("dev", dev)):
            for e in examples:
                out.write(json.dumps({"split": name, **dataclasses.asdict(e)}) + "\n")


def load_examples(path: Path) -> tuple[list[Example], list[Example], dict]:
    """The training and held-out windows written by save_examples, in their order, and their recipe."""
    sets: dict[str, list[Example]] = {"train": [], "dev": []}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        recipe = json.loads(next(lines))["recipe"]
        for line in lines:
            record = json.loads(line)
            sets[record.pop("split")].append(Example(**record))
    return sets["train"], sets["dev"], recipe
