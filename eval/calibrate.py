"""Calibrate refusal: the support threshold against false refusals and false answers, across corpora.

    python eval/calibrate.py --limit 200

Answerable: the shipped set's answerable questions on the shipped corpus, and SQuAD questions on the SQuAD
corpus. Unanswerable: the shipped set's unanswerable questions, SQuAD questions asked of the shipped news
corpus, and the shipped questions asked of SQuAD. For each candidate threshold it prints both error rates.
"""

from __future__ import annotations

import argparse

from qa.assistant import Assistant
from qa.evaluation import cache_dir, load_questions
from qa.settings import PROJECT_ROOT, Settings

SHARED = PROJECT_ROOT.parent / "shared" / "evaldata"


def features(assistant: Assistant, questions: list[str]) -> list[float]:
    """The best sentence's support per question (what the threshold compares), or -1 when another refusal
    rule (nothing speaks of what is asked, a name the articles never mention) already refuses it."""
    return [answer.confidence if answer.answered else -1.0 for answer in map(assistant.run, questions)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=200)
    args = parser.parse_args()
    shipped = load_questions(PROJECT_ROOT / "eval" / "questions.jsonl")
    squad_rows = load_questions(SHARED / "squad11" / "questions.jsonl", args.limit)
    squad_corpus = SHARED / "squad11" / "corpus.jsonl"
    news = Assistant(Settings.from_env(min_support=0.0))
    squad = Assistant(Settings.from_env(corpus_dir=squad_corpus, index_dir=cache_dir(squad_corpus), min_support=0.0))
    answerable = features(news, [r["question"] for r in shipped if r["answers"] and not r.get("conversation")])
    answerable += features(squad, [r["question"] for r in squad_rows])
    unanswerable = features(news, [r["question"] for r in shipped if not r["answers"]])
    unanswerable += features(news, [r["question"] for r in squad_rows])
    unanswerable += features(squad, [r["question"] for r in shipped if r["answers"] and not r.get("conversation")])
    print(f"{len(answerable)} answerable, {len(unanswerable)} unanswerable questions")
    print("threshold  false-refusal  false-answer")
    for step in range(0, 16):
        t = 0.3 + 0.025 * step
        fr = sum(s < t for s in answerable) / len(answerable)
        fa = sum(s >= t for s in unanswerable) / len(unanswerable)
        print(f"  {t:.3f}      {fr:.3f}          {fa:.3f}")


if __name__ == "__main__":
    main()
