"""Fusion of dense and keyword rankings (no model)."""

from qa.retrieval.fusion import fuse


def test_fusion_weights_dense_against_keyword():
    dense = [(1, 0.9), (2, 0.5), (3, 0.1)]
    keyword = [(3, 12.0), (2, 6.0)]
    assert fuse(dense, keyword, 1.0)[0][0] == 1
    assert fuse(dense, keyword, 0.0)[0][0] == 3
    assert fuse(dense, keyword, 0.4)[0][0] == 3
    assert {row for row, _ in fuse(dense, keyword, 0.5)} == {1, 2, 3}
    assert fuse([(7, 0.3)], [(8, 2.0)], 0.3, method="rrf")[0][0] == 8
