"""Shared fixtures: one real model and one real index of the shipped corpus per test session."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from qa.assistant import Assistant
from qa.index.builder import Indexer
from qa.index.encoder import Encoder
from qa.settings import PROJECT_ROOT, Settings

CORPUS = PROJECT_ROOT / "corpus"
QAIM = "presstv-iraq-resistance-slam-us-airstrikes-qaim.txt"  # 2024, dated only in a photo caption
ABU_KAMAL = "presstv-iraqi-resistance-condemn-us-airstrike-abu-kamal.txt"  # 2021, no date, no source line
SHARED = PROJECT_ROOT.parent / "shared"
# What "How many targets did CENTCOM say US forces struck?" may answer: the shipped set's accepted answers
TARGETS_STRUCK = ("85", "more than 85")


class CountingEncoder(Encoder):
    """The real encoder, counting the texts it embeds for indexing."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.embedded: list[str] = []

    def run(self, texts, **kwargs):
        if kwargs.get("threads") is None:
            self.embedded.extend(texts)
        return super().run(texts, **kwargs)


@pytest.fixture(scope="session")
def encoder() -> CountingEncoder:
    encoder = CountingEncoder(Settings.from_env())
    encoder.warm_up()
    return encoder


@pytest.fixture(scope="session")
def shipped_settings(tmp_path_factory) -> Settings:
    return Settings.from_env(corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("shipped-index"))


@pytest.fixture(scope="session")
def assistant(shipped_settings, encoder) -> Assistant:
    Indexer(shipped_settings, encoder).run(CORPUS)
    assistant = Assistant(shipped_settings, encoder=encoder)
    assistant.warm_up()
    return assistant


@pytest.fixture()
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the shipped corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


MODEL_FIXTURES = {"encoder", "assistant", "shipped_settings", "corpus_copy"}


def pytest_collection_modifyitems(config, items):
    """Mark the tests that load a model, and run the fast model-free ones first, the browser test last."""
    for item in items:
        if MODEL_FIXTURES & set(item.fixturenames) and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.model)
    items.sort(key=lambda item: (bool(item.get_closest_marker("browser")), bool(item.get_closest_marker("model"))))


@pytest.fixture(scope="session")
def milvus_uri(tmp_path_factory):
    """A real milvus-lite server on loopback for the session (skipped where the milvus extra is not
    installed; CI installs it)."""
    import socket
    import subprocess
    import time

    for module in ("pymilvus", "milvus_lite"):
        pytest.importorskip(module, reason='the milvus extra is not installed: pip install -e ".[milvus]"')
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = tmp_path_factory.mktemp("milvus-data")
    log = (data.parent / "milvus-lite.log").open("w")
    process = subprocess.Popen(
        # the interpreter's own module, not a `milvus-lite` on PATH (CI runs .venv/bin/python without it)
        [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(data), "--host", "127.0.0.1"]
        + ["--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    uri = f"http://127.0.0.1:{port}"
    from qa.index.milvus_connection import connect_client

    deadline = time.monotonic() + 60
    while True:
        try:  # the product's own client: it does not ping while idle (milvus-lite answers "too_many_pings")
            connect_client(Settings.from_env(milvus_uri=uri)).close()
            break
        except Exception:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"milvus-lite did not start on {uri}: see {log.name}")
            time.sleep(0.3)
    yield uri
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
