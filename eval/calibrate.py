"""Calibrate refusal: fit the refusal model (qa/answer/refusal.py) and print false refusals against false
answers for each candidate `min_answer_confidence`, group by group.

    python eval/calibrate.py --fit     # fit, write models/reader/refusal.json, print the table
    python eval/calibrate.py           # the table for the refusal model as it is
    python eval/calibrate.py --archive # with rows for a large news archive (RealTimeQA dev), never fitted on

The model is fitted only on questions the reader never trained on and that are not newsdesk's evaluation
set: SQuAD questions of the held-out articles (answerable), SQuAD 2.0's unanswerable questions of those
articles (written to look answerable), and questions asked of the wrong corpus (SQuAD's of the shipped news,
RealTimeQA's of SQuAD). The shipped set's questions are never fitted on: their rows of the table (answerable,
unanswerable, asked of SQuAD) show how the model does on news it has not seen.
"""

from __future__ import annotations

import argparse
import json

from heldout import held_out, held_out_questions  # eval/: the articles the reader never trained on

from qa.answer.refusal import FEATURES, RefusalModel, features
from qa.assistant import Assistant
from qa.evaluation.runner import cache_dir, load_questions
from qa.filters import Filters
from qa.ingest.dates import normalise_date
from qa.ingest.loaders import RawArticle, load_corpus
from qa.normalise import normalise_answer
from qa.settings import PROJECT_ROOT, Settings

SHARED = PROJECT_ROOT.parent / "shared"
THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


class Group:
    """Questions asked of one corpus, all answerable or all not; `fit` says whether the model learns from them.
    A question is a string, or a row of a question set (asked as of its `question_date`, as `qa eval` asks it)."""

    def __init__(
        self, name: str, assistant: Assistant, questions: list[str] | list[dict], answerable: bool, fit: bool
    ) -> None:
        self.name, self.assistant, self.questions = name, assistant, questions
        self.answerable, self.fit = answerable, fit
        assistant.warm_up()
        self.readings = [best_readings(assistant, question) for question in questions]


def best_readings(assistant: Assistant, question: str | dict) -> list:
    """What the answer stage reads for `question`, best-ranked first ([] when it refuses before reading)."""
    row = question if isinstance(question, dict) else {"question": question}
    filters = Filters.of(as_of=row.get("question_date"))
    passages, _ = assistant.passages(row["question"], assistant.settings.k, filters=filters)
    return assistant.answerer.ranked(assistant.answerer.readings(row["question"], passages) or [])


def answered(group: Group, model: RefusalModel, question: int, threshold: float) -> bool:
    """Whether the answer stage answers the question at `threshold`: some reading reaches it."""
    return any(model.confidence(reading) >= threshold for reading in group.readings[question])


def fit(groups: list[Group]) -> RefusalModel:
    """A logistic regression of "answerable" on the best-ranked reading's features, over the fitting groups,
    each class weighted equally."""
    from sklearn.linear_model import LogisticRegression

    rows, labels = [], []
    for group in groups:
        if group.fit:
            for readings in group.readings:
                if readings:
                    rows.append(features(readings[0]))
                    labels.append(group.answerable)
    regression = LogisticRegression(class_weight="balanced", max_iter=1000).fit(rows, labels)
    return RefusalModel(tuple(float(w) for w in regression.coef_[0]), float(regression.intercept_[0]))


def table(groups: list[Group], model: RefusalModel) -> str:
    """False refusals (answerable groups) or false answers (the others) per group at each threshold."""
    width = max(len(group.name) for group in groups)
    lines = ["threshold  " + "  ".join(f"{'FR' if g.answerable else 'FA'} {g.name}".rjust(width + 3) for g in groups)]
    for threshold in THRESHOLDS:
        cells = []
        for group in groups:
            said = [answered(group, model, i, threshold) for i in range(len(group.questions))]
            wrong = sum(not s for s in said) if group.answerable else sum(said)
            cells.append(f"{wrong / len(said):.3f}".rjust(width + 3))
        lines.append(f"{threshold:9.2f}  " + "  ".join(cells))
    return "\n".join(lines)


def _sample(rows: list, limit: int) -> list:
    step = max(1, len(rows) // limit)
    return rows[::step][:limit]


def archive_groups(settings: Settings, squad: list[str], shipped: list[str], limit: int) -> list[Group]:
    """Rows for a large news archive, none fitted on: RealTimeQA dev questions whose answer occurs in an
    article published by the question's day (so refusing one is a real false refusal), and questions about
    things the archive does not cover, where thousands of articles offer many near misses."""
    corpus = SHARED / "evaldata" / "realtimeqa" / "corpus.jsonl"
    archive = Assistant(settings.with_(corpus_dir=corpus, index_dir=cache_dir(corpus)))
    archive.reindex()
    articles = archive_articles(load_corpus(corpus)[0])
    questions = load_questions(corpus.parent / "questions.jsonl")
    held = [row for row in questions if answer_in_archive(row, articles)]
    return [
        Group("RealTimeQA, answer in the archive", archive, _sample(held, limit), answerable=True, fit=False),
        Group("SQuAD asked of RealTimeQA", archive, squad, answerable=False, fit=False),
        Group("shipped asked of RealTimeQA", archive, shipped, answerable=False, fit=False),
    ]


def archive_articles(articles: list[RawArticle]) -> list[tuple[str | None, str]]:
    """Each article's publication day (ISO, as newsdesk reads a date) and its title and text normalised as
    answers are, padded with spaces for whole-word matching."""
    return [
        (normalise_date(article.date), f" {normalise_answer((article.title or '') + ' ' + article.text)} ")
        for article in articles
    ]


def answer_in_archive(row: dict, articles: list[tuple[str | None, str]]) -> bool:
    """Whether an accepted answer occurs in an article (from `archive_articles`) published on or before the
    question's day; an undated article counts as published."""
    day = Filters.of(as_of=row.get("question_date")).as_of
    needles = [f" {normalise_answer(answer)} " for answer in row["answers"] if normalise_answer(answer)]
    return any(
        needle in text
        for published, text in articles
        if not (day and published) or published <= day.isoformat()
        for needle in needles
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="fit the refusal model and write it beside the reader")
    parser.add_argument("--limit", type=int, default=200, help="questions per fitting group")
    parser.add_argument(
        "--archive",
        action="store_true",
        help="also show a large news archive (RealTimeQA dev, 3,695 articles; indexed once into eval/cache, "
        "about an hour on 2 cores): its questions whose answer it holds, and questions it cannot answer",
    )
    args = parser.parse_args()
    settings = Settings.from_env()
    shipped = load_questions(PROJECT_ROOT / "eval" / "questions.jsonl")
    shipped_answerable = [r["question"] for r in shipped if r["answers"] and not r.get("conversation")]
    shipped_unanswerable = [r["question"] for r in shipped if not r["answers"]]
    squad_corpus = SHARED / "evaldata" / "squad11" / "corpus.jsonl"
    squad_questions = [r["question"] for r in _sample(held_out_questions(), args.limit)]
    squad20 = [json.loads(line) for line in (SHARED / "traindata" / "squad20_dev.jsonl").open(encoding="utf-8")]
    squad_unanswerable = [r["question"] for r in squad20 if not r["answers"] and held_out(r["title"])]
    realtimeqa = [r["question"] for r in load_questions(SHARED / "evaldata" / "realtimeqa" / "questions.jsonl")]
    realtimeqa = _sample(realtimeqa, args.limit)
    news = Assistant(settings)
    squad = Assistant(settings.with_(corpus_dir=squad_corpus, index_dir=cache_dir(squad_corpus)))
    groups = [
        Group("SQuAD held-out", squad, squad_questions, answerable=True, fit=True),
        Group("SQuAD 2.0 unanswerable", squad, _sample(squad_unanswerable, args.limit), answerable=False, fit=True),
        Group("SQuAD asked of the news", news, squad_questions, answerable=False, fit=True),
        Group("RealTimeQA asked of SQuAD", squad, realtimeqa, answerable=False, fit=True),
        Group("shipped answerable", news, shipped_answerable, answerable=True, fit=False),
        Group("shipped unanswerable", news, shipped_unanswerable, answerable=False, fit=False),
        Group("shipped asked of SQuAD", squad, shipped_answerable, answerable=False, fit=False),
    ]
    if args.archive:
        groups += archive_groups(settings, squad_questions, shipped_answerable, args.limit)
    print(", ".join(f"{len(g.questions)} {g.name}" + (" (fitted on)" if g.fit else "") for g in groups))
    if args.fit:
        model = fit(groups)
        path = model.save(
            settings.reader_dir,
            fitted_on={g.name: len(g.questions) for g in groups if g.fit},
            command="python eval/calibrate.py --fit",
        )
        print(f"wrote {path}: " + ", ".join(f"{n} {w:+.3f}" for n, w in zip(FEATURES, model.weights, strict=True)))
    else:
        model = RefusalModel.load(settings.reader_dir)
    print("\nthe refusal model (confidence):\n" + table(groups, model))
    alone = RefusalModel.margin_only()
    print("\nthe reader's margin alone (confidence = sigmoid(margin); 0.27 is margin -1.0):\n" + table(groups, alone))


if __name__ == "__main__":
    main()
