"""Write the SQuAD dev questions on the articles the reader never trained on, as a question set for `qa eval`.

    python eval/heldout.py        # writes eval/out/squad11-heldout.jsonl and prints the command to run

Half the SQuAD dev articles lend SQuAD 2.0's questions to the reader's training (train/examples.py holds out
those whose title hashes to 0 mod 2), so `qa eval` on the whole set measures partly what the reader has
seen. These questions measure what it does on articles it has not: the honest figure, and the CI gate.
"""

from __future__ import annotations

import json
import sys

from qa.evaluation.runner import load_questions
from qa.settings import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "train"))
from examples import held_out  # noqa: E402  (the training data defines the split)

SQUAD = PROJECT_ROOT.parent / "shared" / "evaldata" / "squad11"
OUT = PROJECT_ROOT / "eval" / "out" / "squad11-heldout.jsonl"


def held_out_questions() -> list[dict]:
    """The SQuAD dev questions whose every gold article was held out of the reader's training."""
    titles = {row["id"]: row["title"] for row in load_questions(SQUAD / "corpus.jsonl")}
    rows = load_questions(SQUAD / "questions.jsonl")
    return [row for row in rows if all(held_out(titles[doc_id]) for doc_id in row["evidence_doc_ids"])]


def main() -> None:
    kept = held_out_questions()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in kept), encoding="utf-8")
    articles = {doc_id for row in kept for doc_id in row["evidence_doc_ids"]}
    print(f"{len(kept)} questions on {len(articles)} held-out articles: {OUT}")
    print(f"qa eval --set {OUT.relative_to(PROJECT_ROOT)} --corpus ../shared/evaldata/squad11/corpus.jsonl")


if __name__ == "__main__":
    main()
