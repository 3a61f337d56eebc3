"""Dense search: an HNSW graph that grows instead of being rebuilt still finds every current chunk by its
row and never returns a replaced or deleted one. (Random vectors: a fixture, not embeddings.)"""

from __future__ import annotations

import numpy as np
import pytest

from qa.index.dense import DenseIndex


def _unit(rows: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(rows, 16)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture()
def saved(tmp_path):
    vectors = _unit(300, 1)
    DenseIndex.build(vectors, 16, "hnsw").save(tmp_path / "dense.faiss")
    return DenseIndex.load(tmp_path / "dense.faiss"), vectors


def _best(index: DenseIndex, vector: np.ndarray, rows: np.ndarray | None = None) -> int:
    return index.search(vector, 1, rows)[0][0]


def test_a_grown_graph_finds_kept_and_added_chunks_at_their_new_rows(saved, tmp_path):
    index, vectors = saved
    added = _unit(20, 2)
    layout = np.concatenate([np.arange(0, 100), np.full(20, -1), np.arange(150, 300)])  # 100-149 deleted
    grown = index.grown(layout, added)
    expected = np.concatenate([vectors[:100], added, vectors[150:]])
    assert grown.size == len(layout) == 270 and grown.retired == 50
    assert all(_best(grown, expected[row]) == row for row in range(0, 270, 7))
    assert np.allclose(grown.vectors(), expected) and np.allclose(grown.vectors(np.array([5, 100])), expected[[5, 100]])
    found = {row for vector in vectors[100:150] for row, _ in grown.search(vector, 10)}
    assert found <= set(range(270))  # no retired vector comes back as a row

    grown.save(tmp_path / "grown.faiss")
    reloaded = DenseIndex.load(tmp_path / "grown.faiss")
    assert reloaded.size == 270 and _best(reloaded, expected[120]) == 120


def test_a_grown_graph_filters_by_chunk_rows_and_grows_again(saved):
    index, vectors = saved
    grown = index.grown(np.concatenate([np.arange(50, 300), np.full(10, -1)]), _unit(10, 3))
    allowed = np.arange(200, 260)
    hits = grown.search(vectors[260], 20, allowed)  # row 210 now holds old vector 260
    assert hits[0][0] == 210 and {row for row, _ in hits} <= set(allowed)
    again = grown.grown(np.arange(10, 260), np.zeros((0, 16), dtype=np.float32))
    assert again.size == 250 and again.retired == 60 and _best(again, vectors[260]) == 200


def test_growing_a_loaded_graph_leaves_the_loaded_one_as_it_was(saved):
    index, vectors = saved
    index.grown(np.full(5, -1), _unit(5, 4))
    assert index.size == 300 and _best(index, vectors[42]) == 42
