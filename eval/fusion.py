"""Measure how dense and BM25 results should be fused: recall@k of the gold article for a grid of weights.

    python eval/fusion.py --corpus ../shared/evaldata/squad11/corpus.jsonl \
        --set ../shared/evaldata/squad11/questions.jsonl [--limit 2000] [--k 5]

Each question is searched once per retriever (top 50); the fusions are then computed offline, so the whole
grid costs one pass. The index is cached per corpus under eval/cache/ (built on first use).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from qa.assistant import Assistant
from qa.evaluation.runner import cache_dir, load_questions
from qa.retrieval.fusion import fuse
from qa.settings import Settings

WEIGHTS = [round(0.1 * i, 1) for i in range(11)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--set", type=Path, required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    assistant = Assistant(Settings.from_env(corpus_dir=args.corpus, index_dir=cache_dir(args.corpus)))
    assistant.warm_up()
    index = assistant.index
    rows = [row for row in load_questions(args.set) if row.get("evidence_doc_ids")]
    if args.limit and args.limit < len(rows):
        rows = random.Random(0).sample(rows, args.limit)
    keys = {doc.id: doc.path.rsplit("#", 1)[-1] for doc in index.documents.values()}
    started = time.perf_counter()
    searched = []
    for row in rows:
        vector = assistant.encoder.query(row["question"])
        dense = index.search_dense(vector, 50)
        keyword = index.search_keyword(row["question"], 50)
        gold = set(row["evidence_doc_ids"])
        searched.append((dense, keyword, gold))
    seconds = time.perf_counter() - started

    def recall(results, k):
        docs = [keys[index.chunks[r].doc_id] for r, _ in results[:k]]
        return any(d in gold for d in docs)

    table = {}
    for method in ("convex", "rrf"):
        for weight in WEIGHTS:
            hits = mrr = 0.0
            for dense, keyword, gold in searched:
                fused = fuse(dense, keyword, weight, method)
                hits += recall(fused, args.k)
                rank = next((i for i, (r, _) in enumerate(fused[:10], 1) if keys[index.chunks[r].doc_id] in gold), None)
                mrr += 1 / rank if rank else 0.0
            table[f"{method} w={weight}"] = {f"recall@{args.k}": hits / len(searched), "mrr@10": mrr / len(searched)}
    for name, values in table.items():
        print(f"{name:16s} recall@{args.k} {values[f'recall@{args.k}']:.3f}  mrr@10 {values['mrr@10']:.3f}")
    best = max(table, key=lambda n: (table[n][f"recall@{args.k}"], table[n]["mrr@10"]))
    print(
        f"best: {best}; {len(searched)} questions, {len(index.chunks)} chunks, "
        f"{1000 * seconds / len(searched):.1f} ms per question for both searches"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"questions": len(searched), "table": table, "best": best}, indent=1))


if __name__ == "__main__":
    main()
