"""Chunks per second of a backfill into Milvus: plain `qa index` against `qa index --engine ray` with 1 and 2
workers, in the same run on the same corpus, and what that projects to N machines.

    python bench/ray_backfill.py [--articles 600] [--corpus ../shared/evaldata/squad11/corpus.jsonl]

A milvus-lite server is started on loopback for the run. Each build starts from nothing (`--rebuild`) and is
timed whole, model loading and Ray start-up included, and by its embedding stage alone. The projection
assumes what the Ray engine's design gives: splitting and embedding spread over the workers, while the
driver alone reads, cleans and writes; so N machines embed N times as fast as one, up to the rate the
driver can read and clean, measured here as the build's time outside its streaming stage (the driver's
upserts into Milvus overlap the embedding and are not in that ceiling).
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.index.builder import Indexer  # noqa: E402
from qa.settings import Settings  # noqa: E402

SQUAD = ROOT.parent / "shared" / "evaldata" / "squad11" / "corpus.jsonl"


def milvus_server(folder: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(folder), "--host", "127.0.0.1"]
    server = subprocess.Popen([*command, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    uri = f"http://127.0.0.1:{port}"
    from qa.index.milvus_connection import connect_client

    for _ in range(200):
        try:
            connect_client(Settings.from_env(milvus_uri=uri)).close()
            return server, uri
        except Exception:
            time.sleep(0.3)
    server.kill()
    raise SystemExit(f"milvus-lite did not start on {uri}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--corpus", type=Path, default=SQUAD)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsdesk-backfill-"))
    corpus = work / "corpus"
    corpus.mkdir()
    lines = args.corpus.read_text(encoding="utf-8").splitlines()[: args.articles]
    (corpus / "articles.jsonl").write_text("\n".join(lines), encoding="utf-8")
    server, uri = milvus_server(work / "milvus")
    rows = []
    try:
        for name, extra in (
            ("plain qa index", {}),
            ("ray, 1 worker x 2 CPUs", {"engine": "ray", "ray_workers": 1, "ray_worker_cpus": 2.0}),
            ("ray, 2 workers x 1 CPU", {"engine": "ray", "ray_workers": 2, "ray_worker_cpus": 1.0}),
        ):
            settings = Settings.from_env(
                corpus_dir=corpus, index_dir=work / name.replace(" ", "-"), backend="milvus", milvus_uri=uri, **extra
            )
            started = time.perf_counter()
            if settings.engine == "ray":
                from qa.index.ray_backfill import RayBackfill

                report = RayBackfill(settings).run(corpus, rebuild=True)
            else:
                report = Indexer(settings).run(corpus, rebuild=True)
            wall = time.perf_counter() - started
            rows.append(
                {
                    "build": name,
                    "articles": report.documents,
                    "chunks": report.chunks,
                    "wall_seconds": round(wall, 1),
                    "chunks_per_second": round(report.chunks / wall, 1),
                    "embedding_chunks_per_second": round(report.chunks_per_second, 1),
                    "outside_embedding_seconds": round(wall - report.embed_seconds, 1),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    finally:
        server.terminate()
        import ray

        if ray.is_initialized():
            ray.shutdown()
    best = max(rows[1:], key=lambda row: row["embedding_chunks_per_second"])
    driver = rows[-1]["chunks"] / max(rows[-1]["outside_embedding_seconds"], 1e-9)
    print(f"\nprojection from '{best['build']}' ({best['embedding_chunks_per_second']} chunks/s while embedding here):")
    for machines in (1, 4, 16, 64):
        rate = min(machines * best["embedding_chunks_per_second"], driver)
        hours = 1e6 / rate / 3600
        print(f"  {machines:3d} machines like this one: about {rate:,.0f} chunks/s, a million chunks in {hours:.1f} h")
    print(f"  (the driver reads and cleans {driver:,.0f} chunks/s here: the ceiling; its writes overlap the embedding)")


if __name__ == "__main__":
    main()
