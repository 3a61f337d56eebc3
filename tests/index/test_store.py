"""A damaged index is detected on load with a clear message and repaired by the next `qa index`."""

from __future__ import annotations

import json
import shutil

import pytest

from qa.errors import IndexUnusable
from qa.index.builder import Indexer
from qa.index.store import MANIFEST, load_index
from qa.settings import Settings

DAMAGE = ["truncate", "empty", "reorder", "flip"]


def _damage(file, how: str) -> None:
    data = file.read_bytes()
    if how == "truncate":
        data = data[: len(data) // 2]
    elif how == "empty":
        data = b""
    elif how == "reorder":
        lines = data.splitlines(keepends=True)
        data = b"".join(reversed(lines)) if len(lines) > 1 else data[len(data) // 2 :] + data[: len(data) // 2]
    else:
        middle = len(data) // 2
        data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
    file.write_bytes(data)


@pytest.fixture(scope="module")
def built(tmp_path_factory, encoder):
    from conftest import CORPUS

    folder = tmp_path_factory.mktemp("store") / "index"
    Indexer(Settings.from_env(corpus_dir=CORPUS, index_dir=folder), encoder).run(CORPUS)
    return folder


def _generation(folder):
    return folder / json.loads((folder / MANIFEST).read_text())["generation"]


def test_every_file_is_checksummed(built):
    files = {str(f.relative_to(_generation(built))) for f in _generation(built).rglob("*") if f.is_file()}
    recorded = json.loads((built / MANIFEST).read_text())["checksums"]
    assert files == set(recorded) and {"articles.json", "texts.bin", "chunks.npy", "dense.faiss"} <= files


@pytest.mark.parametrize("how", DAMAGE)
def test_each_kind_of_damage_to_each_file_is_detected_and_named(built, tmp_path, how):
    names = sorted(str(f.relative_to(_generation(built))) for f in _generation(built).rglob("*") if f.is_file())
    for name in names:
        copy = tmp_path / name.replace("/", "_") / "index"
        shutil.copytree(built, copy)
        _damage(_generation(copy) / name, how)
        with pytest.raises(IndexUnusable, match=r"damaged .*`qa index`") as error:
            load_index(copy)
        assert name in str(error.value)


@pytest.mark.parametrize("how", DAMAGE)
def test_qa_index_repairs_a_damaged_index(built, tmp_path, how, encoder):
    from conftest import CORPUS

    copy = tmp_path / "index"
    shutil.copytree(built, copy)
    _damage(_generation(copy) / "chunks.npy", how)
    report = Indexer(Settings.from_env(corpus_dir=CORPUS, index_dir=copy), encoder).run(CORPUS)
    assert report.rebuilt and "damaged" in report.reason
    assert len(load_index(copy).chunks) == len(load_index(built).chunks)
    assert [p.name for p in copy.iterdir() if p.name.startswith(("gen-", ".tmp"))] == [_generation(copy).name]


def test_leftovers_of_interrupted_builds_are_removed_and_reported(built, tmp_path, encoder):
    from conftest import CORPUS

    copy = tmp_path / "index"
    shutil.copytree(built, copy)
    (copy / ".tmp-gen-20250101-000000-1-1").mkdir()
    shutil.copytree(_generation(copy), copy / "gen-20000101-000000-1-1")  # a superseded generation
    report = Indexer(Settings.from_env(corpus_dir=CORPUS, index_dir=copy), encoder).run(CORPUS)
    assert report.reason == "up to date"
    assert sorted(report.leftovers) == [".tmp-gen-20250101-000000-1-1", "gen-20000101-000000-1-1"]
    assert not (copy / "gen-20000101-000000-1-1").exists()
    assert load_index(copy).chunks


@pytest.mark.parametrize("damaged", [False, True])
def test_big_files_are_checked_just_after_opening_and_a_damaged_one_stops_searches(built, tmp_path, damaged, encoder):
    from qa.index import store

    copy = tmp_path / "index"
    shutil.copytree(built, copy)
    if damaged:
        _damage(_generation(copy) / "dense.faiss", "flip")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "CHECK_LATER_BYTES", 0)  # every file counts as big: hashed in the background
        index = load_index(copy)
    assert index.checked.wait(30)
    vector = encoder.query("How many targets did US forces strike?")
    if damaged:
        with pytest.raises(IndexUnusable, match=r"damaged \(dense.faiss does not match its checksum\).*`qa index`"):
            index.search_dense(vector, 3)
    else:
        assert index.damage is None and len(index.search_dense(vector, 3)) == 3
