"""Calibrate refusal: the reader's answer margin against false refusals and false answers, across corpora.

    python eval/calibrate.py --limit 200

Answerable: the shipped set's answerable questions on the shipped corpus and SQuAD questions on the SQuAD
corpus. Unanswerable: the shipped set's unanswerable questions, SQuAD 2.0's unanswerable questions on the
SQuAD corpus (written to look answerable), SQuAD questions asked of the shipped news corpus, and the shipped
questions asked of SQuAD. Every SQuAD question comes from the articles the reader's training held out: on
the others it has seen the questions, and both error rates would look better than on a new corpus. For
each candidate `min_answer_margin` it prints both error rates.
"""

from __future__ import annotations

import argparse
import json
import math

from heldout import held_out, held_out_questions  # eval/: the articles the reader never trained on

from qa.assistant import Assistant
from qa.evaluation.runner import cache_dir, load_questions
from qa.settings import PROJECT_ROOT, Settings

SHARED = PROJECT_ROOT.parent / "shared"
ALWAYS = -1e9  # a margin every reading passes: each question gets its best reading and its margin


def margins(assistant: Assistant, questions: list[str]) -> list[float]:
    """The reader's best margin over "no answer" per question (what `min_answer_margin` compares); a question
    refused before the margin is compared (nothing retrieved, no shared word) counts as refused at any margin."""
    answers = [assistant.run(question) for question in questions]
    return [answer.confidence if answer.answered else -math.inf for answer in answers]


def _sample(rows: list, limit: int) -> list:
    step = max(1, len(rows) // limit)
    return rows[::step][:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=200)
    args = parser.parse_args()
    shipped = load_questions(PROJECT_ROOT / "eval" / "questions.jsonl")
    shipped_answerable = [r["question"] for r in shipped if r["answers"] and not r.get("conversation")]
    # SQuAD questions only from the articles the reader never trained on: on the others it knows the answers
    squad_corpus = SHARED / "evaldata" / "squad11" / "corpus.jsonl"
    squad_rows = _sample(held_out_questions(), args.limit)
    squad20 = [json.loads(line) for line in (SHARED / "traindata" / "squad20_dev.jsonl").open(encoding="utf-8")]
    squad_unanswerable = _sample(
        [r["question"] for r in squad20 if not r["answers"] and held_out(r["title"])], args.limit
    )
    news = Assistant(Settings.from_env(min_answer_margin=ALWAYS))
    squad = Assistant(
        Settings.from_env(corpus_dir=squad_corpus, index_dir=cache_dir(squad_corpus), min_answer_margin=ALWAYS)
    )
    answerable = margins(news, shipped_answerable) + margins(squad, [r["question"] for r in squad_rows])
    groups = {
        "shipped unanswerable": margins(news, [r["question"] for r in shipped if not r["answers"]]),
        "SQuAD 2.0 unanswerable": margins(squad, squad_unanswerable),
        "SQuAD asked of the news": margins(news, [r["question"] for r in squad_rows]),
        "news asked of SQuAD": margins(squad, shipped_answerable),
    }
    unanswerable = [m for group in groups.values() for m in group]
    print(
        f"{len(answerable)} answerable, {len(unanswerable)} unanswerable questions "
        f"({', '.join(f'{len(v)} {k}' for k, v in groups.items())})"
    )
    print("margin   false-refusal  false-answer  " + "  ".join(groups))
    for step in range(-8, 17):
        t = step * 0.5
        fr = sum(m < t for m in answerable) / len(answerable)
        fa = sum(m >= t for m in unanswerable) / len(unanswerable)
        per_group = "  ".join(f"{sum(m >= t for m in v) / len(v):.3f}".rjust(len(k)) for k, v in groups.items())
        print(f"{t:6.1f}   {fr:.3f}          {fa:.3f}         {per_group}")


if __name__ == "__main__":
    main()
