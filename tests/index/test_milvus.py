"""The Milvus backend against a real milvus-lite server: the same answers, filters and incremental updates as
the embedded backend (skipped, with the reason, where the milvus extra is not installed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import TARGETS_STRUCK

from qa.assistant import Assistant
from qa.errors import BackendUnreachable
from qa.filters import Filters
from qa.index.builder import Indexer
from qa.index.milvus import MilvusIndex
from qa.settings import PROJECT_ROOT, Settings
from tests.conftest import CORPUS, QAIM

pytestmark = [pytest.mark.model, pytest.mark.milvus]

# Test fixture, written for this test: an article the shipped corpus does not hold.
FIXTURE = """Harbour bridge reopens after repairs

VALDORIA, March 3, 2025 - The Old Harbour bridge reopened on Monday after eleven months of repairs, the city
transport office said. Engineers replaced 214 steel cables and the deck, at a cost of 38 million euros.
"""


def settings_for(uri: str, corpus, index_dir) -> Settings:
    return Settings.from_env(corpus_dir=corpus, index_dir=index_dir, backend="milvus", milvus_uri=uri)


@pytest.fixture(scope="module")
def milvus_assistant(milvus_uri, tmp_path_factory, encoder) -> Assistant:
    settings = settings_for(milvus_uri, CORPUS, tmp_path_factory.mktemp("milvus-index"))
    Indexer(settings, encoder).run(CORPUS, rebuild=True)
    assistant = Assistant(settings, encoder=encoder)
    assistant.warm_up()
    return assistant


def shipped_questions() -> list[str]:
    rows = [json.loads(line) for line in (PROJECT_ROOT / "eval" / "questions.jsonl").read_text("utf-8").splitlines()]
    return [row["question"] for row in rows if line_is_single(row)]


def line_is_single(row: dict) -> bool:
    return not row.get("conversation")


def test_both_backends_give_the_same_answers(assistant, milvus_assistant):
    differing = []
    questions = shipped_questions()
    for question in questions:
        embedded, milvus = assistant.run(question), milvus_assistant.run(question)
        same = (embedded.answered, embedded.short_answer) == (milvus.answered, milvus.short_answer) and [
            c.sentence for c in embedded.citations[:1]
        ] == [c.sentence for c in milvus.citations[:1]]
        if not same:
            differing.append((question, embedded.short_answer, milvus.short_answer))
    assert len(questions) > 50
    assert not differing, differing


def test_both_backends_rank_passages_alike(assistant, milvus_assistant):
    """Nearly always the same best passage and nearly the same top 5: the two BM25 engines (tantivy,
    Milvus') score the same terms with the same formula but keep their statistics differently, so near
    ties can swap."""
    same_best, shared = [], []
    for question in shipped_questions():
        embedded = [(p.chunk.doc_id, p.chunk.start) for p in assistant.retriever.run(question)]
        milvus = [(p.chunk.doc_id, p.chunk.start) for p in milvus_assistant.retriever.run(question)]
        same_best.append(embedded[:1] == milvus[:1])
        shared.append(len(set(embedded) & set(milvus)) / len(embedded))
    best, top5 = sum(same_best) / len(same_best), sum(shared) / len(shared)
    assert best >= 0.95 and top5 >= 0.9, (best, top5)


@pytest.mark.parametrize(
    "filters",
    [
        Filters.of(since="2024-01-01"),
        Filters.of(until="2023-12-31"),
        Filters.of(as_of="2022-01-01"),
        Filters.of(sources=["press tv"]),
        Filters.of(sources=["Nobody's Gazette"]),
        Filters.of(since="2024-02-01", until="2024-02-28", sources=["Press TV"]),
    ],
    ids=["since", "until", "as-of", "source", "unknown-source", "range-and-source"],
)
def test_filters_allow_the_same_articles_in_both_backends(assistant, milvus_assistant, encoder, filters):
    vector = encoder.query("US airstrikes in Iraq")
    embedded, milvus = (
        {
            chunk.doc_id
            for chunk, _ in index.passage_parts([key for key, _ in index.search_dense(vector, 100, filters)]).values()
        }
        for index in (assistant.index, milvus_assistant.index)
    )
    assert embedded == milvus
    keyword = milvus_assistant.index.search_keyword("airstrikes", 100, filters)
    assert {key.split(":")[0] for key, _ in keyword} <= embedded


def test_articles_are_added_changed_and_deleted_by_id(milvus_uri, tmp_path, encoder, corpus_copy):
    settings = settings_for(milvus_uri, corpus_copy, tmp_path / "index")
    first = Indexer(settings, encoder).run(corpus_copy)
    assert (first.added, first.documents) == (2, 2)

    (corpus_copy / "harbour-bridge.txt").write_text(FIXTURE, encoding="utf-8")
    before = len(encoder.embedded)
    added = Indexer(settings, encoder).run(corpus_copy)
    assert (added.added, added.unchanged, added.documents) == (1, 2, 3)
    assert len(encoder.embedded) - before == added.embedded_chunks <= 2  # only the new article was embedded
    assistant = Assistant(settings, encoder=encoder)
    answer = assistant.run("How many steel cables did engineers replace on the harbour bridge?")
    assert "214" in answer.short_answer and answer.citations[0].title == "Harbour bridge reopens after repairs"

    (corpus_copy / "harbour-bridge.txt").write_text(FIXTURE.replace("214", "216"), encoding="utf-8")
    changed = Indexer(settings, encoder).run(corpus_copy)
    assert (changed.changed, changed.documents) == (1, 3)
    assistant.reindex()
    assert "216" in assistant.run("How many steel cables did engineers replace on the harbour bridge?").short_answer

    (corpus_copy / QAIM).unlink()
    store = MilvusIndex.connect(settings)
    qaim = next(doc_id for doc_id, path in store.existing_documents().items() if path.endswith(QAIM))
    removed = Indexer(settings, encoder).run(corpus_copy)
    assert (removed.removed, removed.documents) == (1, 2)
    assert store.client.query(store.chunks_name, filter=f'doc_id == "{qaim}"', output_fields=["id"]) == []
    assert store.chunk_count == removed.chunks
    store.drop()


def test_a_build_cut_short_is_tidied_by_the_next(milvus_uri, tmp_path, encoder, corpus_copy):
    settings = settings_for(milvus_uri, corpus_copy, tmp_path / "index")
    Indexer(settings, encoder).run(corpus_copy)
    store = MilvusIndex.connect(settings)
    # What a build killed between writing an article's chunks and its record leaves behind:
    store._write_blob("meta", "pending", {"add": ["0123456789abcdef"], "delete": []})
    row = store.client.query(store.chunks_name, filter='id like "%:0"', output_fields=["*"], limit=1)[0]
    row = {key: value for key, value in row.items() if key != "sparse"}
    store.client.upsert(store.chunks_name, [{**row, "id": "0123456789abcdef:0", "doc_id": "0123456789abcdef"}])
    report = Indexer(settings, encoder).run(corpus_copy)
    assert report.leftovers == ["half-written article 0123456789abcdef"]
    assert store.client.query(store.chunks_name, filter='doc_id == "0123456789abcdef"', output_fields=["id"]) == []
    assert report.reason == "up to date" and store.chunk_count == report.chunks
    store.drop()


def test_an_unreachable_server_says_what_to_do(tmp_path, encoder):
    settings = settings_for("http://127.0.0.1:9", CORPUS, tmp_path / "index")
    with pytest.raises(BackendUnreachable, match="NEWSDESK_MILVUS_URI"):
        Assistant(settings, encoder=encoder).run("What happened?")


def test_qa_index_and_ask_against_a_milvus_server(milvus_uri, tmp_path):
    """As a new user would, from the README: `qa index`, then `qa ask`, with the two settings."""
    env = {**os.environ, "NEWSDESK_BACKEND": "milvus", "NEWSDESK_MILVUS_URI": milvus_uri}
    qa = [sys.executable, "-m", "qa.present.cli"]  # the `qa` command, from this interpreter
    index_dir = str(tmp_path / "index")
    built = subprocess.run(
        [*qa, "index", str(CORPUS), "--index-dir", index_dir, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["index"].startswith(f"Milvus at {milvus_uri}")
    asked = subprocess.run(
        [*qa, "ask", "How many targets did CENTCOM say US forces struck?", "--index-dir", index_dir, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["short_answer"] in TARGETS_STRUCK
