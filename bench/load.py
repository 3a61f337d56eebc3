"""Load on one server over loopback: 50 questions at once against one at a time, and questions asked while
a 100-article upload is indexed in the background.

python bench/load.py [--questions 50] [--upload 100]

Serves `build_app` (the same app as `python app.py`) on a free loopback port over a copy of the shipped
corpus, asks the shipped evaluation questions through `POST /api/ask`, and prints: sequential and
concurrent throughput and latency, whether every concurrent answer equals its sequential one, and the
latency of questions asked during an upload of RealTimeQA dev articles (`../shared/evaldata`) against idle.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT.parent / "shared" / "evaldata" / "realtimeqa" / "corpus.jsonl"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--upload", type=int, default=100)
    args = parser.parse_args()

    import uvicorn

    from qa.assistant import Assistant
    from qa.present.web import build_app

    work = Path(tempfile.mkdtemp(prefix="newsdesk-load-"))
    shutil.copytree(ROOT / "corpus", work / "corpus")
    assistant = Assistant(corpus_dir=work / "corpus", index_dir=work / "index")
    assistant.warm_up()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(build_app(assistant), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}/api/ask"
    rows = [json.loads(line) for line in (ROOT / "eval" / "questions.jsonl").read_text().splitlines() if line.strip()]
    questions = [row["question"] for row in rows if "question" in row][: args.questions]

    def ask(question: str) -> tuple[str, float]:
        started = time.perf_counter()
        reply = httpx.post(url, json={"question": question}, timeout=300)
        reply.raise_for_status()
        return reply.json()["text"], time.perf_counter() - started

    for question in questions[:3]:
        ask(question)  # warm caches
    started = time.perf_counter()
    alone = [ask(q) for q in questions]
    sequential_s = time.perf_counter() - started
    started = time.perf_counter()
    with ThreadPoolExecutor(len(questions)) as pool:
        together = list(pool.map(ask, questions))
    concurrent_s = time.perf_counter() - started
    same = sum(a[0] == b[0] for a, b in zip(alone, together, strict=True))
    idle = [seconds for _, seconds in alone]

    upload = work / "upload.jsonl"
    lines = [line for line in ARTICLES.read_text("utf-8").splitlines() if '"text": "' in line][: args.upload]
    upload.write_text("\n".join(lines) + "\n", "utf-8")
    job = assistant.add_async([upload])
    busy: list[float] = []
    while not job.finished.is_set():
        busy.append(ask(questions[len(busy) % len(questions)])[1])
    report = job.wait()

    print(f"questions: {len(questions)} (eval/questions.jsonl), workers: {assistant.settings.workers}")
    p50, p95 = percentile(idle, 0.5) * 1000, percentile(idle, 0.95) * 1000
    print(f"one at a time : {len(questions) / sequential_s:5.2f} q/s  p50 {p50:6.0f} ms  p95 {p95:6.0f} ms")
    print(f"all at once   : {len(questions) / concurrent_s:5.2f} q/s  ({sequential_s / concurrent_s:.2f}x)")
    print(f"identical answers: {same}/{len(questions)}")
    print(
        f"during upload of {report.added} articles ({report.embedded_chunks} chunks, {report.seconds:.0f} s): "
        f"{len(busy)} questions, p50 {percentile(busy, 0.5) * 1000:.0f} ms, p95 {percentile(busy, 0.95) * 1000:.0f} ms "
        f"({percentile(busy, 0.95) / percentile(idle, 0.95):.2f}x idle p95)"
    )
    server.should_exit = True
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
