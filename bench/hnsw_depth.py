"""HNSW search depth (efSearch) against recall@10 and latency, on the hard case: a million chunks of
RealTimeQA replicated (21 noisy copies of each real chunk, so the true top 10 is mostly near-ties) searched
with real RealTimeQA questions. This chose `HNSW_SEARCH_DEPTH` in qa/index/dense.py.

    python bench/hnsw_depth.py [--size 1000000] [--depths 128 256 512]
"""

from __future__ import annotations

import argparse
import json
import time

import faiss
import numpy as np
from curve import RTQA, replicated

from qa.evaluation.runner import cache_dir
from qa.index.dense import DenseIndex
from qa.index.encoder import Encoder
from qa.index.store import load_index
from qa.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--depths", type=int, nargs="+", default=[128, 256, 512])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    base = load_index(cache_dir(RTQA / "corpus.jsonl"))
    rows = [json.loads(line) for line in (RTQA / "questions.jsonl").read_text("utf-8").splitlines()]
    questions = [row["question"] for row in rows[:: max(1, len(rows) // args.queries)]][: args.queries]
    encoder = Encoder(Settings.from_env())
    encoder.warm_up()
    queries = np.vstack([encoder.query(question) for question in questions]).astype(np.float32)
    _, vectors = replicated(base, args.size, np.random.default_rng(7))
    started = time.perf_counter()
    graph = DenseIndex.build(vectors, vectors.shape[1], "hnsw")
    print(f"{len(vectors):,} vectors; HNSW built in {time.perf_counter() - started:.0f} s (every core)", flush=True)
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    faiss.omp_set_num_threads(1)
    _, truth = exact.search(queries, 10)
    for depth in args.depths:
        params = faiss.SearchParametersHNSW(efSearch=depth)
        started = time.perf_counter()
        found = [graph._index.search(query.reshape(1, -1), 50, params=params)[1][0][:10] for query in queries]
        seconds = (time.perf_counter() - started) / len(queries)
        recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)])
        print(f"efSearch {depth}: recall@10 {recall:.3f}, {seconds * 1000:.2f} ms per query (top 50, one thread)")


if __name__ == "__main__":
    main()
