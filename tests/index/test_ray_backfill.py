"""`qa index --engine ray`: a backfill on a real local Ray cluster into a real milvus-lite server gives the same
index and answers as the plain build, and one that dies half-way is finished by the same command with every
article written once (skipped, with the reason, where the ray or milvus extra is not installed)."""

from __future__ import annotations

import json

import pytest

from qa.errors import SettingInvalid
from qa.index.builder import Indexer
from qa.index.corpus_state import describe
from qa.index.milvus import MilvusIndex
from qa.settings import PROJECT_ROOT, Settings
from tests.conftest import CORPUS, SHARED

pytestmark = [pytest.mark.model, pytest.mark.milvus, pytest.mark.ray]
SQUAD = SHARED / "evaldata" / "squad11"


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray", reason='the ray extra is not installed: pip install -e ".[ray]"')
    try:
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    except RuntimeError:  # its control server can miss the start-up deadline on a loaded machine: once more
        ray.shutdown()
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def settings_for(uri: str, corpus, index_dir, **more) -> Settings:
    return Settings.from_env(corpus_dir=corpus, index_dir=index_dir, backend="milvus", milvus_uri=uri, **more)


def chunk_ids(settings: Settings) -> list[str]:
    store = MilvusIndex.connect(settings)
    return sorted(row["id"] for row in store._iterate(store.chunks_name, 'id != ""', ["id"]))


def where(passage) -> tuple[str, int, int]:
    return passage.document.id, passage.chunk.start, passage.chunk.end


def squad_sample(folder, articles: int = 6) -> list[dict]:
    """The first SQuAD dev articles as a JSONL corpus in `folder`, and their questions."""
    if not SQUAD.exists():
        pytest.skip(f"no {SQUAD} beside the repository")
    records = [json.loads(line) for line in (SQUAD / "corpus.jsonl").open(encoding="utf-8")][:articles]
    folder.mkdir()
    (folder / "squad.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    ids = {r["id"] for r in records}
    questions = [json.loads(line) for line in (SQUAD / "questions.jsonl").open(encoding="utf-8")]
    return [q for q in questions if set(q.get("evidence_doc_ids") or []) & ids][:10]


def test_the_ray_engine_writes_into_milvus_only():
    from qa.index.ray_backfill import RayBackfill

    with pytest.raises(SettingInvalid, match="NEWSDESK_BACKEND=milvus"):
        RayBackfill(Settings.from_env(backend="faiss"))


def test_a_ray_backfill_gives_the_plain_builds_index_and_answers(local_ray, milvus_uri, encoder, tmp_path):
    from qa.assistant import Assistant
    from qa.index.ray_backfill import RayBackfill

    questions = [json.loads(line)["question"] for line in (PROJECT_ROOT / "eval" / "questions.jsonl").open()][:15]
    squad = tmp_path / "squad"
    squad_questions = squad_sample(squad)
    for corpus, asked in ((CORPUS, questions), (squad, [q["question"] for q in squad_questions])):
        plain = settings_for(milvus_uri, corpus, tmp_path / f"plain-{corpus.name}")
        spread = settings_for(milvus_uri, corpus, tmp_path / f"ray-{corpus.name}", engine="ray", ray_workers=2)
        Indexer(plain, encoder).run(corpus, rebuild=True)
        report = RayBackfill(spread).run(corpus, rebuild=True)
        assert report.documents > 0 and chunk_ids(plain) == chunk_ids(spread)
        one, other = Assistant(plain, encoder=encoder), Assistant(spread, encoder=encoder)
        for question in asked:
            a, b = one.run(question), other.run(question)
            assert [where(p) for p in a.passages] == [where(p) for p in b.passages], question
            assert (a.answered, a.short_answer) == (b.answered, b.short_answer), question


def test_a_backfill_that_dies_half_way_is_finished_once_by_the_same_command(
    local_ray, milvus_uri, tmp_path, monkeypatch
):
    import qa.index.ray_backfill as backfill
    from qa.index.ray_backfill import RayBackfill

    corpus = tmp_path / "squad"
    squad_sample(corpus)
    settings = settings_for(milvus_uri, corpus, tmp_path / "ray-index", engine="ray")
    monkeypatch.setattr(backfill, "WRITE_BATCH", 2)  # several batches from six articles
    written = {"batches": 0}
    original = MilvusIndex.add

    def dies_on_the_second_batch(store, documents, chunks, vectors, terms):
        written["batches"] += 1
        if written["batches"] == 2:  # announced and its chunks upserted, then the driver dies
            store._write_blob("meta", "pending", {"add": [doc.id for doc in documents], "delete": []})
            doc = documents[0]
            parts = zip(chunks[doc.id], vectors[doc.id], terms[doc.id], strict=True)
            rows = [store._chunk_row(doc, n, chunk, vector, text) for n, (chunk, vector, text) in enumerate(parts)]
            store.client.upsert(store.chunks_name, rows)
            raise RuntimeError("the driver was killed")
        return original(store, documents, chunks, vectors, terms)

    monkeypatch.setattr(MilvusIndex, "add", dies_on_the_second_batch)
    with pytest.raises(RuntimeError, match="killed"):
        RayBackfill(settings).run(corpus)
    halfway = describe(MilvusIndex.connect(settings), settings.index_dir)["backfill"]
    assert halfway["finished"] is False and halfway["written"] == 2 and halfway["articles"] == 6

    monkeypatch.setattr(MilvusIndex, "add", original)
    report = RayBackfill(settings).run(corpus)
    assert report.leftovers and report.unchanged == 2 and report.added == 4
    ids = chunk_ids(settings)
    assert len(ids) == len(set(ids)) == report.chunks
    store = MilvusIndex.connect(settings)
    assert len(store.existing_documents()) == 6 and store.manifest["backfill"]["finished"] is True
    fresh = settings_for(milvus_uri, corpus, tmp_path / "plain-index")
    Indexer(fresh).run(corpus, rebuild=True)
    assert chunk_ids(fresh) == ids  # the same chunks as a build that never died
