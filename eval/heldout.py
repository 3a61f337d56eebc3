"""Write the SQuAD dev questions on the articles the reader never trained on, as a question set for `qa eval`.

    python eval/heldout.py        # writes eval/out/squad11-heldout.jsonl and prints the command to run

Most SQuAD dev questions are in the reader's training data (train/train_reader.py holds out the articles
whose title hashes to 0 mod 6), so `qa eval` on the whole set measures partly what the reader has seen.
These questions measure what it does on articles it has not: the honest figure for new corpora.
"""

from __future__ import annotations

import json
import sys

from qa.settings import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "train"))
from train_reader import held_out  # noqa: E402  (the training script defines the split)

SQUAD = PROJECT_ROOT.parent / "shared" / "evaldata" / "squad11"
OUT = PROJECT_ROOT / "eval" / "out" / "squad11-heldout.jsonl"


def main() -> None:
    titles = {}
    with (SQUAD / "corpus.jsonl").open(encoding="utf-8") as corpus:
        for line in corpus:
            document = json.loads(line)
            titles[document["id"]] = document["title"]
    kept = []
    with (SQUAD / "questions.jsonl").open(encoding="utf-8") as questions:
        for line in questions:
            row = json.loads(line)
            if all(held_out(titles[doc_id]) for doc_id in row["evidence_doc_ids"]):
                kept.append(line)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(kept), encoding="utf-8")
    print(f"{len(kept)} questions on {sum(held_out(t) for t in set(titles.values()))} held-out articles: {OUT}")
    print(f"qa eval --set {OUT.relative_to(PROJECT_ROOT)} --corpus ../shared/evaldata/squad11/corpus.jsonl")


if __name__ == "__main__":
    main()
