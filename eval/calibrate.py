"""Calibrate refusal: fit the refusal model (qa/answer/refusal.py) and print false refusals against false
answers for each candidate `min_answer_confidence`, group by group.

    python eval/calibrate.py --fit     # fit, write models/reader/refusal.json, print the table
    python eval/calibrate.py           # the table for the refusal model as it is

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
from qa.retrieval.filters import Filters
from qa.settings import PROJECT_ROOT, Settings

SHARED = PROJECT_ROOT.parent / "shared"
THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


class Group:
    """Questions asked of one corpus, all answerable or all not; `fit` says whether the model learns from them."""

    def __init__(self, name: str, assistant: Assistant, questions: list[str], answerable: bool, fit: bool) -> None:
        self.name, self.assistant, self.questions = name, assistant, questions
        self.answerable, self.fit = answerable, fit
        assistant.warm_up()
        self.readings = [best_readings(assistant, question) for question in questions]


def best_readings(assistant: Assistant, question: str) -> list:
    """What the answer stage reads for `question`, best-ranked first ([] when it refuses before reading)."""
    passages, _ = assistant.passages(question, assistant.settings.k, filters=Filters.of())
    return assistant.answerer.ranked(assistant.answerer.readings(question, passages) or [])


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="fit the refusal model and write it beside the reader")
    parser.add_argument("--limit", type=int, default=200, help="questions per fitting group")
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
