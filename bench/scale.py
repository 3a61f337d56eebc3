"""Dense search at growing sizes: exact (flat) against HNSW, build time, memory, latency and recall@10.

    python bench/scale.py [--sizes 10000 100000] [--queries 200]

Vectors: the RealTimeQA dev index's real chunk embeddings (eval/cache/, built by `qa eval --corpus
../shared/evaldata/realtimeqa/corpus.jsonl`), replicated with small Gaussian noise and re-normalised to
reach each size; queries are held-out real vectors with noise. Recall@10 is the share of exact search's
top 10 that HNSW returns. Dense search only: the keyword side and cold start are not measured here yet.
"""

from __future__ import annotations

import argparse
import time

import faiss
import numpy as np

from qa.evaluation.runner import cache_dir
from qa.index.dense import DenseIndex
from qa.index.store import load_index
from qa.settings import PROJECT_ROOT

RTQA = PROJECT_ROOT.parent / "shared" / "evaldata" / "realtimeqa" / "corpus.jsonl"


def grown(base: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    rows = base[rng.integers(0, len(base), size)] + rng.normal(0, 0.03, (size, base.shape[1])).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def timed_search(index: DenseIndex, queries: np.ndarray) -> tuple[list[set[int]], list[float]]:
    found, seconds = [], []
    for query in queries:
        started = time.perf_counter()
        found.append({row for row, _ in index.search(query, 10)})
        seconds.append(time.perf_counter() - started)
    return found, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    base = load_index(cache_dir(RTQA)).dense.vectors()
    rng = np.random.default_rng(7)
    held_out = base[rng.choice(len(base), args.queries, replace=False)]
    queries = grown(held_out, args.queries, rng)
    print(f"base: {len(base):,} RealTimeQA chunk vectors ({base.shape[1]} dims); {args.queries} queries; one thread")
    print("size       kind  build s   MB    p50 ms  p95 ms  recall@10")
    for size in args.sizes:
        vectors = grown(base, size, rng)
        exact_found = None
        for kind in ("flat", "hnsw"):
            started = time.perf_counter()
            index = DenseIndex.build(vectors, vectors.shape[1], kind)
            build = time.perf_counter() - started
            megabytes = faiss.serialize_index(index._index).nbytes / 2**20
            found, seconds = timed_search(index, queries)
            if kind == "flat":
                exact_found = found
            recall = np.mean([len(a & b) / 10 for a, b in zip(found, exact_found, strict=True)])
            p50, p95 = np.percentile(seconds, 50) * 1000, np.percentile(seconds, 95) * 1000
            print(f"{size:<10,} {kind:5} {build:7.1f} {megabytes:6.0f} {p50:8.2f} {p95:7.2f}  {recall:9.3f}")


if __name__ == "__main__":
    main()
