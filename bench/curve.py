"""The index at 10k, 100k and 1M chunks: build, disk, memory, cold start, search latency and recall, one table
and one plot.

    python bench/curve.py [--sizes 10000 100000 1000000] [--queries 200] [--out bench/out] [--keep DIR]
    python bench/curve.py --cold DIR      # cold starts alone, of the index --keep left in DIR

Corpus: RealTimeQA replicated (real text and vectors, copied): the RealTimeQA dev index's real
articles, chunks and chunk vectors (eval/cache/, built by `qa eval --corpus
../shared/evaldata/realtimeqa/corpus.jsonl`), copied whole until each size is reached; each copy's vectors
get small Gaussian noise (re-normalised) so dense search does not see exact duplicates. Embedding is not
re-run (at about 27 chunks/s a million chunks is 10 hours on 2 cores): "build" is everything after it:
the dense index (flat or HNSW as `NEWSDESK_DENSE_INDEX=auto` picks), the keyword index (tantivy), writing
and checksumming the generation. "Update" is the dense side of replacing 10,000 chunks: an HNSW graph
grows (read whole, the new vectors linked in, the old ones retired), a flat index is rebuilt. Queries:
RealTimeQA dev questions, embedded once. Cold start is a new process, timed after imports: `warm_up()`
(the models load while the index opens on a second thread), then one question answered; "cold start"
is both, "checked" when the background checksums of the big files were done, and "index" the time to
open the index alone, measured apart after. Its peak RSS is VmHWM (`ru_maxrss`
would carry over the benchmark's own memory from before `exec`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import faiss
import numpy as np

from qa.evaluation.metrics import percentile
from qa.evaluation.runner import cache_dir
from qa.index.dense import DenseIndex, index_kind
from qa.index.encoder import Encoder
from qa.index.keyword import KeywordEntry, KeywordIndex
from qa.index.store import Index, load_index, save_index
from qa.ingest.chunking import embedding_text
from qa.retrieval.fusion import fuse
from qa.settings import PROJECT_ROOT, Settings

RTQA = PROJECT_ROOT.parent / "shared" / "evaldata" / "realtimeqa"
UPDATE = 10_000  # chunks replaced in the timed dense update

COLD_START = """
import sys, time
import faiss, numpy, sentence_transformers, spacy, tantivy, torch, transformers  # imports are not timed
from qa.assistant import Assistant
from qa.index.store import load_index
from qa.settings import Settings
assistant = Assistant(Settings.from_env(index_dir=sys.argv[1], corpus_dir=sys.argv[3]))
started = time.perf_counter()
assistant.warm_up()  # the models load while the index opens on a second thread
warmed = time.perf_counter() - started
assistant.run(sys.argv[2])
answered = time.perf_counter() - started
assistant.index.checked.wait()
checked = time.perf_counter() - started
started = time.perf_counter()
load_index(sys.argv[1])  # opening the index alone, timed apart (it overlaps the models above)
opened = time.perf_counter() - started
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:")).split()[1]
print(warmed, opened, answered, checked, int(peak) / 1024)
"""


def replicated(base: Index, size: int, rng: np.random.Generator) -> tuple[Index, np.ndarray]:
    """`base` copied whole, article by article, until it holds at least `size` chunks, with its vectors (the
    first copy's are the real ones, later copies' carry noise)."""
    by_doc: dict[str, list[int]] = {}
    for row, chunk in enumerate(base.chunks):
        by_doc.setdefault(chunk.doc_id, []).append(row)
    documents, chunks, rows = {}, [], []
    copy = 0
    while len(chunks) < size:
        for doc_id, doc_rows in by_doc.items():
            if len(chunks) >= size:
                break
            new_id = hashlib.sha1(f"{doc_id}-{copy}".encode()).hexdigest()[:16] if copy else doc_id
            original = base.documents[doc_id]
            documents[new_id] = replace(original, id=new_id, path=f"{original.path}~{copy}")
            chunks.extend(replace(base.chunks[row], doc_id=new_id) for row in doc_rows)
            rows.extend(doc_rows)
        copy += 1
    vectors = base.dense.vectors()[rows]
    copies = np.arange(len(rows)) >= len(base.chunks)
    vectors[copies] += rng.normal(0, 0.03, (int(copies.sum()), vectors.shape[1])).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    empty = DenseIndex.build(np.zeros((0, vectors.shape[1]), dtype=np.float32), vectors.shape[1])
    return Index(documents, chunks, empty, None), vectors


def entries(index: Index):
    """What the keyword index stores of each chunk: its article, its number there, its text."""
    numbers: dict[str, int] = {}
    for chunk in index.chunks:
        number = numbers[chunk.doc_id] = numbers.get(chunk.doc_id, -1) + 1
        yield KeywordEntry(chunk.doc_id, number, embedding_text(index.documents[chunk.doc_id], chunk))


def cold_start(folder: Path, question: str) -> tuple[float, ...]:
    """Warm-up, index opening, first answer and checksums (seconds) and peak RSS (MB) of a new process."""
    cold = subprocess.run(
        [sys.executable, "-c", COLD_START, str(folder), question, tempfile.mkdtemp()],
        capture_output=True,
        text=True,
        check=True,
    )
    return tuple(float(x) for x in cold.stdout.split()[-5:])


def timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - started


def p(values: list[float], q: int) -> float:
    return percentile(values, q) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench" / "out")
    parser.add_argument("--keep", type=Path, help="keep the largest index here, to time cold starts alone after")
    parser.add_argument("--cold", type=Path, help="only time cold starts (three) of the index kept in this folder")
    args = parser.parse_args()
    if args.cold:
        question = json.loads((RTQA / "questions.jsonl").read_text("utf-8").splitlines()[0])["question"]
        print("warm-up s  index s  cold start s  checked s  peak RSS MB")
        for _ in range(3):
            print("{:9.2f} {:8.2f} {:13.2f} {:10.1f} {:12,.0f}".format(*cold_start(args.cold, question)))
        return
    faiss.omp_set_num_threads(1)
    settings = Settings.from_env()
    base = load_index(cache_dir(RTQA / "corpus.jsonl"))
    rows = [json.loads(line) for line in (RTQA / "questions.jsonl").read_text("utf-8").splitlines()]
    questions = [row["question"] for row in rows[:: max(1, len(rows) // args.queries)]][: args.queries]
    encoder = Encoder(settings)
    encoder.warm_up()
    query_vectors = [encoder.query(question) for question in questions]
    rng = np.random.default_rng(7)
    print(
        f"RealTimeQA replicated: {len(base.chunks):,} real chunks of {len(base.documents):,} articles; "
        f"{len(questions)} questions; searches on one thread"
    )
    header = (
        "chunks     dense  build s  chunks/s  update s  disk MB  warm-up s  index s  cold start s  checked s  RSS MB  "
        "dense p50/p95 ms  BM25 p50/p95 ms  fused p50/p95 ms  recall@10"
    )
    print(header)
    results = []
    for size in args.sizes:
        index, vectors = replicated(base, size, rng)
        kind = index_kind(len(vectors), settings.dense_index, settings.hnsw_above)
        keyword_folder = Path(tempfile.mkdtemp(prefix="newsdesk-curve-keyword-"))
        started = time.perf_counter()
        index.dense = DenseIndex.build(vectors, vectors.shape[1], kind)
        index.keyword = KeywordIndex.build(entries(index), keyword_folder, os.cpu_count() or 1)
        index.manifest = {
            "counts": {"documents": len(index.documents), "chunks": len(index.chunks)},
            "settings": settings.chunking_signature(),
            "dimensions": vectors.shape[1],
        }
        folder = Path(tempfile.mkdtemp(prefix="newsdesk-curve-"))
        save_index(folder, index)
        build = time.perf_counter() - started
        shutil.rmtree(keyword_folder)
        disk = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20

        # An update: 10,000 chunks replaced by 10,000 new ones (about 800 articles); HNSW grows, flat is rebuilt.
        saved = DenseIndex.load(folder / index.manifest["generation"] / "dense.faiss")
        layout = np.concatenate([np.arange(UPDATE, size), np.full(UPDATE, -1)])
        added = vectors[:UPDATE] + rng.normal(0, 0.03, (UPDATE, vectors.shape[1])).astype(np.float32)
        added /= np.linalg.norm(added, axis=1, keepdims=True)
        if kind == "hnsw":
            _, update = timed(saved.grown, layout, added)
        else:
            _, update = timed(DenseIndex.build, np.vstack([vectors[UPDATE:], added]), vectors.shape[1], kind)
        del saved

        exact = DenseIndex.build(vectors, vectors.shape[1], "flat") if kind != "flat" else index.dense
        dense_s, keyword_s, fused_s, recall = [], [], [], []
        for question, vector in zip(questions, query_vectors, strict=True):
            dense, took = timed(index.dense.search, vector, settings.candidates)
            dense_s.append(took)
            keyword, took = timed(index.search_keyword, question, settings.candidates)
            keyword_s.append(took)
            started = time.perf_counter()
            index.dense.search(vector, settings.candidates)
            index.search_keyword(question, settings.candidates)
            fuse(dense, keyword, settings.dense_weight)
            fused_s.append(time.perf_counter() - started)
            truth = {row for row, _ in exact.search(vector, 10)}
            recall.append(len({row for row, _ in dense[:10]} & truth) / 10)
        del index, exact, vectors

        warmed, opened, first_answer, checked, rss = cold_start(folder, questions[0])
        if args.keep and size == max(args.sizes):
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.move(folder, args.keep)
        else:
            shutil.rmtree(folder)
        result = {
            "chunks": size,
            "dense": kind,
            "build_s": build,
            "dense_update_s": update,
            "chunks_per_s": size / build,
            "disk_mb": disk,
            "warm_up_s": warmed,
            "index_open_s": opened,
            "cold_start_s": first_answer,
            "checked_s": checked,
            "rss_mb": rss,
            "dense_ms": [p(dense_s, 50), p(dense_s, 95)],
            "bm25_ms": [p(keyword_s, 50), p(keyword_s, 95)],
            "fused_ms": [p(fused_s, 50), p(fused_s, 95)],
            "recall_at_10": float(np.mean(recall)),
        }
        results.append(result)
        print(
            f"{size:<10,} {kind:5} {build:8.1f} {size / build:9,.0f} {update:9.1f} {disk:8,.0f} "
            f"{warmed:10.2f} {opened:8.2f} {first_answer:13.2f} {checked:10.1f} "
            f"{rss:7,.0f}  {result['dense_ms'][0]:7.2f}/{result['dense_ms'][1]:<7.2f}  "
            f"{result['bm25_ms'][0]:7.2f}/{result['bm25_ms'][1]:<7.2f}  "
            f"{result['fused_ms'][0]:7.2f}/{result['fused_ms'][1]:<7.2f}  {result['recall_at_10']:.3f}",
            flush=True,
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "curve.json").write_text(json.dumps(results, indent=1))
    plot(results, args.out / "curve.png")
    print(f"table: {args.out / 'curve.json'}, plot: {args.out / 'curve.png'}")


def plot(results: list[dict], file: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["chunks"] for r in results]
    figure, (search, start) = plt.subplots(1, 2, figsize=(10, 4))
    for key, label in (("dense_ms", "dense"), ("bm25_ms", "BM25"), ("fused_ms", "fused")):
        search.plot(sizes, [r[key][0] for r in results], marker="o", label=f"{label} p50")
        search.plot(sizes, [r[key][1] for r in results], marker=".", linestyle="--", label=f"{label} p95")
    search.set(xscale="log", yscale="log", xlabel="chunks", ylabel="ms per search (top 50)", title="Search")
    search.legend(fontsize=7)
    start.plot(sizes, [r["index_open_s"] for r in results], marker="o", label="index opened (s)")
    start.plot(sizes, [r["warm_up_s"] for r in results], marker="o", label="models and index loaded (s)")
    start.plot(sizes, [r["cold_start_s"] for r in results], marker="o", label="cold start to first answer (s)")
    start.plot(sizes, [r["build_s"] / 60 for r in results], marker="o", label="build after embedding (min)")
    start.set(xscale="log", yscale="log", xlabel="chunks", title="Build and cold start")
    start.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(file, dpi=110)


if __name__ == "__main__":
    main()
