import numpy as np
import pytest
from conftest import ABU_KAMAL, QAIM, TARGETS_STRUCK

from qa.assistant import Assistant
from qa.index.builder import Indexer
from qa.index.store import FORMAT_VERSION, load_index
from qa.settings import Settings

NEW_ARTICLE = (
    "Flood waters rise in Valencia\nMarch 9, 2025\n"
    "Heavy rain flooded the Spanish city of Valencia on Sunday, forcing 1,200 residents from homes.\n"
    "The mayor said pumps were working through the night.\n"
)


def _indexer(corpus, tmp_path, encoder, **overrides) -> Indexer:
    settings = Settings.from_env(corpus_dir=corpus, index_dir=tmp_path / "index", **overrides)
    return Indexer(settings, encoder)


def test_update_embeds_only_new_and_changed_articles(corpus_copy, tmp_path, encoder):
    indexer = _indexer(corpus_copy, tmp_path, encoder)
    first = indexer.run()
    assert (first.added, first.documents) == (2, 2)

    (corpus_copy / "valencia-floods.txt").write_text(NEW_ARTICLE, "utf-8")
    qaim = corpus_copy / QAIM
    qaim.write_text(qaim.read_text("utf-8").replace("injury of 36 others", "injury of 41 others"), "utf-8")
    (corpus_copy / ABU_KAMAL).unlink()
    encoder.embedded.clear()
    second = indexer.run()
    assert (second.added, second.changed, second.removed, second.unchanged) == (1, 1, 1, 0)
    index = load_index(tmp_path / "index")
    expected = [
        c
        for c in index.chunks
        if "Valencia" in index.documents[c.doc_id].text or index.documents[c.doc_id].path.endswith(QAIM)
    ]
    assert len(encoder.embedded) == len(expected) == second.embedded_chunks
    assert not any("Abu-Kamal" in doc.text for doc in index.documents.values())
    assert index.keyword.size == len(index.chunks)
    found = index.search_keyword("Abu Kamal airstrike Valencia", 50)
    assert {index.chunks[row].doc_id for row, _ in found} <= set(index.documents) and found

    assistant = Assistant(indexer.settings)
    assert "1,200" in assistant.run("How many residents were forced from their homes in Valencia?").text
    assert any("injury of 41 others" in chunk.text for chunk in index.chunks)

    encoder.embedded.clear()
    third = indexer.run()
    assert third.embedded_chunks == 0 and encoder.embedded == [] and third.unchanged == 2


def test_interrupted_build_leaves_the_previous_index_usable(corpus_copy, tmp_path, encoder, monkeypatch):
    indexer = _indexer(corpus_copy, tmp_path, encoder)
    indexer.run()
    (corpus_copy / "valencia-floods.txt").write_text(NEW_ARTICLE, "utf-8")

    def crash(*args, **kwargs):
        raise RuntimeError("power cut mid-way")

    monkeypatch.setattr("qa.index.dense.DenseIndex.save", crash)
    with pytest.raises(RuntimeError):
        indexer.run()
    monkeypatch.undo()
    index = load_index(tmp_path / "index")
    assert len(index.documents) == 2
    assert not [p for p in (tmp_path / "index").iterdir() if p.name.startswith(".tmp")]
    answer = Assistant(indexer.settings).run("How many targets did CENTCOM say US forces struck?")
    assert answer.short_answer in TARGETS_STRUCK


def test_changed_settings_are_detected_and_trigger_a_full_rebuild(corpus_copy, tmp_path, encoder):
    _indexer(corpus_copy, tmp_path, encoder).run()
    report = _indexer(corpus_copy, tmp_path, encoder, chunk_tokens=120).run()
    assert report.rebuilt and "settings changed" in report.reason
    assert load_index(tmp_path / "index").manifest["settings"]["chunk_tokens"] == 120


def test_bad_files_are_skipped_and_the_rest_indexed(corpus_copy, tmp_path, encoder):
    (corpus_copy / "broken.txt").write_bytes(b"\xff\xfe\x00binary")
    (corpus_copy / "empty.md").write_text("", "utf-8")
    report = _indexer(corpus_copy, tmp_path, encoder).run()
    assert report.documents == 2
    assert {p.path.split("/")[-1] for p in report.problems} == {"broken.txt", "empty.md"}


def test_empty_corpus_builds_an_empty_index_that_refuses(tmp_path, encoder):
    (tmp_path / "empty").mkdir()
    indexer = _indexer(tmp_path / "empty", tmp_path, encoder)
    assert indexer.run().documents == 0
    answer = Assistant(indexer.settings).run("Anything?")
    assert not answer.answered and answer.citations == []


def test_concurrent_builds_take_turns_and_a_no_op_update_writes_nothing(corpus_copy, tmp_path, encoder):
    import threading

    (corpus_copy / "valencia-floods.txt").write_text(NEW_ARTICLE, "utf-8")
    indexers = [_indexer(corpus_copy, tmp_path, encoder) for _ in range(2)]
    threads = [threading.Thread(target=indexer.run) for indexer in indexers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    index = load_index(tmp_path / "index")
    assert len(index.documents) == 3
    generation = index.manifest["generation"]
    report = indexers[0].run()
    assert report.reason == "up to date" and report.documents == 3
    assert load_index(tmp_path / "index").manifest["generation"] == generation


def test_loading_reports_changed_settings_and_a_changed_corpus(corpus_copy, tmp_path, encoder, caplog):
    indexer = _indexer(corpus_copy, tmp_path, encoder)
    indexer.run()
    (corpus_copy / "valencia-floods.txt").write_text(NEW_ARTICLE, "utf-8")
    assistant = Assistant(indexer.settings.with_(chunk_tokens=120), encoder=encoder)
    assistant.warm_up()
    assert assistant.corpus_checked.wait(30)  # the corpus is compared in the background: reading it takes time
    assert "settings say" in caplog.text
    assert "changed since the index was built (1 new)" in caplog.text


def test_a_bad_file_is_moved_aside_with_its_reason_and_poisons_no_later_run(corpus_copy, tmp_path, encoder):
    from qa.ingest.rejects import rejected_files

    (corpus_copy / "one-line.txt").write_text("x" * 30_000, "utf-8")  # test fixture: over the article limit
    (corpus_copy / "broken.json").write_text("{not json", "utf-8")
    indexer = _indexer(corpus_copy, tmp_path, encoder, max_article_chars=20_000, rejected_dir=str(tmp_path / "rej"))
    report = indexer.run()
    assert report.documents == 2
    assert sorted(r.name for r in report.rejected) == ["broken.json", "one-line.txt"]
    assert not (corpus_copy / "broken.json").exists() and (tmp_path / "rej" / "broken.json").exists()
    listed = {r.name: r.reason for r in rejected_files(tmp_path / "rej")}
    assert "malformed JSON" in listed["broken.json"] and "over the limit" in listed["one-line.txt"]
    (corpus_copy / "later.txt").write_text("Later headline\nA later article arrived on Monday, officials said.\n")
    again = indexer.run()
    assert (again.added, again.problems, again.rejected) == (1, [], [])


def test_an_index_of_the_previous_format_is_upgraded_without_embedding_again(corpus_copy, tmp_path, encoder):
    import json
    import shutil

    indexer = _indexer(corpus_copy, tmp_path, encoder)
    indexer.run()
    manifest_file = tmp_path / "index" / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    # what a format-1 index looks like to this version: a keyword index it cannot read
    shutil.rmtree(tmp_path / "index" / manifest["generation"] / "keyword")
    manifest["format_version"] = 1
    manifest["checksums"] = {k: v for k, v in manifest["checksums"].items() if not k.startswith("keyword/")}
    manifest_file.write_text(json.dumps(manifest))

    encoder.embedded.clear()
    report = indexer.run()
    assert "upgraded" in report.reason and report.embedded_chunks == 0 and encoder.embedded == []
    index = load_index(tmp_path / "index")
    assert index.manifest["format_version"] == FORMAT_VERSION and index.keyword.size == len(index.chunks)
    assert (
        Assistant(indexer.settings).run("How many targets did CENTCOM say US forces struck?").short_answer
        in TARGETS_STRUCK
    )


def test_adding_an_article_grows_the_keyword_index_instead_of_rebuilding_it(corpus_copy, tmp_path, encoder):
    indexer = _indexer(corpus_copy, tmp_path, encoder)
    indexer.run()
    keyword = load_index(tmp_path / "index").keyword.folder
    segments = {f.name: f.stat().st_ino for f in keyword.iterdir() if f.suffix in (".idx", ".store", ".term")}
    (corpus_copy / "valencia-floods.txt").write_text(NEW_ARTICLE, "utf-8")
    assert indexer.run().added == 1
    index = load_index(tmp_path / "index")
    grown = {f.name: f.stat().st_ino for f in index.keyword.folder.iterdir()}
    assert segments and all(grown.get(name) == inode for name, inode in segments.items())  # the same files
    assert len(grown) > len(segments) and index.keyword.size == len(index.chunks)
    found = index.search_keyword("residents forced from homes in Valencia", 5)
    assert "Valencia" in index.documents[index.chunks[found[0][0]].doc_id].text


def test_an_index_of_json_lines_is_upgraded_to_tables_reusing_vectors_and_keyword_segments(
    corpus_copy, tmp_path, encoder
):
    import json

    from qa.index.integrity import checksums_of
    from qa.index.tables import FILES

    indexer = _indexer(corpus_copy, tmp_path, encoder)
    indexer.run()
    built = load_index(tmp_path / "index")
    manifest_file = tmp_path / "index" / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    generation = tmp_path / "index" / manifest["generation"]
    # what a format-2 generation holds: articles and chunks as JSON lines beside the same tantivy index
    for name in FILES:
        (generation / name).unlink()
    lines = {"documents.jsonl": built.documents.values(), "chunks.jsonl": built.chunks}
    for name, records in lines.items():
        (generation / name).write_text("".join(json.dumps(r.to_dict()) + "\n" for r in records), "utf-8")
    manifest.update(format_version=2, checksums=checksums_of(generation))
    manifest_file.write_text(json.dumps(manifest))
    segments = {f.name: f.stat().st_ino for f in (generation / "keyword").iterdir() if f.suffix == ".store"}

    encoder.embedded.clear()
    report = indexer.run()
    assert "format 2 upgraded" in report.reason and report.embedded_chunks == 0 and encoder.embedded == []
    index = load_index(tmp_path / "index")
    assert index.manifest["format_version"] == FORMAT_VERSION and list(index.chunks) == list(built.chunks)
    kept = {f.name: f.stat().st_ino for f in index.keyword.folder.iterdir() if f.suffix == ".store"}
    assert segments and kept == segments
    assert (
        Assistant(indexer.settings).run("How many targets did CENTCOM say US forces struck?").short_answer
        in TARGETS_STRUCK
    )


def test_an_hnsw_graph_grows_on_update_and_every_row_keeps_its_own_vector(corpus_copy, tmp_path, encoder, monkeypatch):
    from qa.index import builder
    from qa.ingest.chunking import embedding_text

    monkeypatch.setattr(builder, "MAX_RETIRED", 1.0)  # two articles: any change retires over a fifth of the graph
    indexer = _indexer(corpus_copy, tmp_path, encoder, dense_index="hnsw")
    indexer.run()
    before = load_index(tmp_path / "index")
    (corpus_copy / "valencia-floods.txt").write_text(NEW_ARTICLE, "utf-8")
    qaim = corpus_copy / QAIM
    qaim.write_text(qaim.read_text("utf-8").replace("injury of 36 others", "injury of 41 others"), "utf-8")
    indexer.run()

    index = load_index(tmp_path / "index")
    generation = tmp_path / "index" / index.manifest["generation"]
    assert index.dense.kind == "hnsw" and (generation / "dense_rows.npy").exists()
    qaim_chunks = sum(before.documents[c.doc_id].path.endswith(QAIM) for c in before.chunks)
    assert index.dense.retired == qaim_chunks and index.dense.size == len(index.chunks)
    texts = [embedding_text(index.documents[c.doc_id], c) for c in index.chunks]
    cosines = np.sum(index.dense.vectors() * encoder.run(texts), axis=1)
    assert cosines.min() > 0.999  # each row's stored vector is the embedding of that row's text
    assert [index.search_dense(vector, 1)[0][0] for vector in encoder.run(texts)] == list(range(len(texts)))
