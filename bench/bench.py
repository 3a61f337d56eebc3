"""Print newsdesk's speed and memory on this machine, for corpora of growing size.

    python bench/bench.py                                   # the shipped corpus
    python bench/bench.py --corpus ../shared/evaldata/squad11/corpus.jsonl \
        --cached ../shared/evaldata/realtimeqa/corpus.jsonl

Per corpus: indexing throughput (chunks/s, whole pipeline) against raw `model.encode` on the same chunks,
warm ask() latency p50/p95 by stage, cold start of a first ask() with the index on disk (a new process),
index size on disk and process memory. How search and cold start grow with size: bench/curve.py.
Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qa.assistant import Assistant
from qa.evaluation.metrics import percentile
from qa.evaluation.runner import cache_dir, load_questions
from qa.index.builder import Indexer
from qa.ingest.chunking import embedding_text
from qa.settings import PROJECT_ROOT, Settings

SHIPPED_QUESTIONS = PROJECT_ROOT / "eval" / "questions.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append", default=[], help="indexed afresh and timed")
    parser.add_argument(
        "--cached",
        type=Path,
        action="append",
        default=[],
        help="large corpus: reuse the eval/cache index and its recorded build figures",
    )
    parser.add_argument("--questions", type=int, default=40, help="warm questions timed per corpus")
    parser.add_argument("--encode-sample", type=int, default=1000, help="chunks re-encoded raw, at most")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = [bench_corpus(corpus, args, fresh=True) for corpus in [PROJECT_ROOT / "corpus", *args.corpus]]
    results += [bench_corpus(corpus, args, fresh=False) for corpus in args.cached]
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1))


def bench_corpus(corpus: Path, args, *, fresh: bool) -> dict:
    index_dir = Path(tempfile.mkdtemp(prefix="bench-index-")) if fresh else cache_dir(corpus)
    settings = Settings.from_env(corpus_dir=corpus, index_dir=index_dir)
    assistant = Assistant(settings)
    assistant.encoder.run(["warm-up sentence"])  # model load is start-up, not indexing
    report = Indexer(settings, assistant.encoder).run(corpus)
    assistant.warm_up()
    build = assistant.index.manifest.get("last_build", {})
    if not build.get("embedded_chunks"):
        build = {
            "seconds": report.seconds,
            "embedded_chunks": report.embedded_chunks,
            "embed_seconds": report.embed_seconds,
        }
    index = assistant.index
    sample = index.chunks[: args.encode_sample]
    texts = [embedding_text(index.documents[c.doc_id], c) for c in sample]
    started = time.perf_counter()
    assistant.encoder.run(texts)
    raw = len(texts) / (time.perf_counter() - started)
    result = {
        "corpus": str(corpus),
        "documents": len(index.documents),
        "chunks": len(index.chunks),
        "indexing_chunks_per_s": build["embedded_chunks"] / build["seconds"] if build.get("seconds") else None,
        "indexing_embed_chunks_per_s": (
            build["embedded_chunks"] / build["embed_seconds"] if build.get("embed_seconds") else None
        ),
        "raw_encode_chunks_per_s": raw,
        "index_mb": sum(f.stat().st_size for f in Path(index_dir).rglob("*") if f.is_file()) / 2**20,
    }
    result.update(warm_latency(assistant, corpus, args.questions))
    result["cold_start_s"] = cold_start(corpus, index_dir)
    result["rss_mb"] = rss_mb()
    print_result(result)
    return result


def warm_latency(assistant: Assistant, corpus: Path, n: int) -> dict:
    questions_file = corpus.parent / "questions.jsonl" if corpus.is_file() else SHIPPED_QUESTIONS
    rows = [r for r in load_questions(questions_file) if r["answers"]][:n]
    assistant.run(rows[0]["question"])
    stages: dict[str, list[float]] = {}
    for row in rows:
        for stage, seconds in assistant.run(row["question"]).timings.items():
            stages.setdefault(stage, []).append(seconds * 1000)
    return {f"{stage}_ms": percentiles(values) for stage, values in stages.items()}


def cold_start(corpus: Path, index_dir: Path) -> float:
    code = (
        "import time; t = time.perf_counter(); from qa import Assistant; "
        f"a = Assistant(corpus_dir={str(corpus)!r}, index_dir={str(index_dir)!r}); "
        "a.run('How many people were killed?'); print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def percentiles(values: list[float]) -> dict:
    return {"p50": round(percentile(values, 50), 1), "p95": round(percentile(values, 95), 1)}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def print_result(result: dict) -> None:
    print(f"\n== {result['corpus']}")
    for key, value in result.items():
        if key != "corpus":
            print(f"  {key:30s} {value if not isinstance(value, float) else round(value, 2)}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
