"""Chaos: `kill -9` at random moments of `qa index` and of an upload (`Assistant.add`, what the UI's upload
button calls). After every kill the previous index loads and answers, and the next run recovers: every
article indexed, nothing lost, no folder left behind.

NEWSDESK_CHAOS_KILLS sets how many kills of each kind (default 4 in the suite; the closing note reports 20).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import TARGETS_STRUCK

from qa.index.store import MANIFEST, load_index
from qa.settings import PROJECT_ROOT

KILLS = int(os.environ.get("NEWSDESK_CHAOS_KILLS", "4"))
UPLOAD = (
    "from pathlib import Path; import sys; from qa.assistant import Assistant; Assistant().add([Path(sys.argv[1])])"
)


def _article(n: int) -> str:
    """A test fixture article, different for each n."""
    return (
        f"Ferry number {n} runs aground near Skerry {n}\n"
        f"The ferry Nordlys {n} ran aground near the island of Skerry {n} on Friday with {n + 20} passengers "
        "on board, the coastguard said.\nAll passengers were taken ashore unhurt, officials said.\n"
    )


def _env(corpus: Path, index: Path) -> dict:
    return {
        **os.environ,
        "NEWSDESK_CORPUS_DIR": str(corpus),
        "NEWSDESK_INDEX_DIR": str(index),
        "PYTHONPATH": str(PROJECT_ROOT),
    }


def _run_and_kill(command: list[str], env: dict, index: Path, rng: random.Random, during_save: bool) -> None:
    """Start `command`; kill -9 it at a random moment, or just after it starts writing a generation."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + (120 if during_save else rng.uniform(1.0, 12.0))
    while time.monotonic() < deadline and process.poll() is None:
        if during_save and any(p.name.startswith(".tmp-gen-") for p in index.iterdir()):
            time.sleep(rng.uniform(0.0, 0.05))
            break
        time.sleep(0.01)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait()


def _check_answers(assistant, index: Path, at_least: int, at_most: int) -> None:
    loaded = load_index(index)  # verifies every checksum and count; raises if anything is damaged
    assert at_least <= len(loaded.documents) <= at_most
    assistant._use(loaded)
    assert assistant.run("How many targets did CENTCOM say US forces struck?").short_answer in TARGETS_STRUCK


@pytest.mark.parametrize("kind", ["qa index", "upload"])
def test_kill_9_at_random_moments_loses_nothing(kind, corpus_copy, tmp_path, encoder):
    from qa.assistant import Assistant
    from qa.index.builder import Indexer
    from qa.settings import Settings

    index = tmp_path / "index"
    settings = Settings.from_env(corpus_dir=corpus_copy, index_dir=index)
    Indexer(settings, encoder).run(corpus_copy)
    rng = random.Random(13)
    env = _env(corpus_copy, index)
    reader = Assistant(settings, encoder=encoder)
    reader.warm_up()
    uploads = tmp_path / "to-upload"
    uploads.mkdir()
    for n in range(KILLS):
        if kind == "qa index":
            (corpus_copy / f"ferry-{n}.txt").write_text(_article(n), "utf-8")
            command = [sys.executable, "-m", "qa.present.cli", "index", str(corpus_copy), "--index-dir", str(index)]
        else:
            upload = uploads / f"ferry-{n}.txt"
            upload.write_text(_article(n), "utf-8")
            command = [sys.executable, "-c", UPLOAD, str(upload)]
        _run_and_kill(command, env, index, rng, during_save=n % 2 == 1)
        _check_answers(reader, index, 2, 2 + n + 1)

    if kind == "upload":  # the files whose copy was cut short were never in the corpus: upload them again
        stored = (
            {p.read_text() for p in (corpus_copy / "uploads").glob("*.txt")}
            if (corpus_copy / "uploads").exists()
            else set()
        )
        missing = [p for p in sorted(uploads.iterdir()) if p.read_text() not in stored]
        if missing:
            Assistant(settings, encoder=encoder).add(missing)
    report = Indexer(settings, encoder).run(corpus_copy)
    final = load_index(index)
    assert len(final.documents) == 2 + KILLS, report
    generation = final.manifest["generation"]
    assert sorted(p.name for p in index.iterdir() if p.is_dir()) == [generation]
    assert not list(index.glob(f".{MANIFEST}.tmp"))
    answer = Assistant(settings, encoder=encoder).run(f"How many passengers were on the ferry Nordlys {KILLS - 1}?")
    assert answer.short_answer == str(KILLS - 1 + 20)


UI_KILLS = int(os.environ.get("NEWSDESK_CHAOS_UI_KILLS", "1"))


def _serve(corpus: Path, index: Path, port: int) -> subprocess.Popen:
    command = [sys.executable, str(PROJECT_ROOT / "app.py"), "--port", str(port)]
    process = subprocess.Popen(command, env=_env(corpus, index), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import httpx

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise TimeoutError("the app did not start")


def test_kill_9_of_the_server_during_an_upload_through_the_ui(corpus_copy, tmp_path, encoder):
    """The real app in a subprocess; a file is uploaded through Gradio's API and the server is killed at a
    random moment of it. Restarted, the server answers from the old index at once and catches up."""
    import socket

    import httpx
    from gradio_client import Client, handle_file

    from qa.index.builder import Indexer
    from qa.settings import Settings

    index = tmp_path / "index"
    Indexer(Settings.from_env(corpus_dir=corpus_copy, index_dir=index), encoder).run(corpus_copy)
    rng = random.Random(29)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    server = _serve(corpus_copy, index, port)
    try:
        for n in range(UI_KILLS):
            upload = tmp_path / f"ferry-{n}.txt"
            upload.write_text(_article(n), "utf-8")
            Client(url, verbose=False).submit([handle_file(str(upload))], api_name="/add")
            time.sleep(rng.uniform(0.2, 6.0))
            server.send_signal(signal.SIGKILL)
            server.wait()
            server = _serve(corpus_copy, index, port)
            reply = httpx.post(
                url + "api/ask", json={"question": "How many targets did CENTCOM say US forces struck?"}, timeout=60
            )
            assert reply.status_code == 200 and reply.json()["short_answer"] in TARGETS_STRUCK
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    from qa.index.builder import Indexer as Builder

    Builder(Settings.from_env(corpus_dir=corpus_copy, index_dir=index), encoder).run(corpus_copy)
    stored = (
        {p.read_text() for p in (corpus_copy / "uploads").glob("*.txt")}
        if (corpus_copy / "uploads").exists()
        else set()
    )
    final = load_index(index)
    assert len(final.documents) == 2 + len(stored)
    assert [p.name for p in index.iterdir() if p.is_dir()] == [final.manifest["generation"]]
