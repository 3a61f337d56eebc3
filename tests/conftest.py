"""Shared fixtures: one real model and one real index of the shipped corpus per test session."""

from __future__ import annotations

import shutil
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
