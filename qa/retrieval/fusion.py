"""Fusion of the dense and keyword rankings: a weighted sum of min-max normalised scores, or RRF."""

from __future__ import annotations

from collections.abc import Sequence


def fuse(
    dense: Sequence[tuple[int, float]],
    keyword: Sequence[tuple[int, float]],
    dense_weight: float,
    method: str = "convex",
) -> list[tuple[int, float]]:
    """Rows ranked by `dense_weight * dense + (1 - dense_weight) * keyword`.

    "convex" mixes min-max normalised scores; "rrf" mixes reciprocal ranks (1 / (60 + rank)).
    """
    if method == "rrf":
        d = {row: 1.0 / (60 + rank) for rank, (row, _) in enumerate(dense, 1)}
        k = {row: 1.0 / (60 + rank) for rank, (row, _) in enumerate(keyword, 1)}
    else:
        d, k = _min_max(dense), _min_max(keyword)
    rows = set(d) | set(k)
    scored = [(row, dense_weight * d.get(row, 0.0) + (1 - dense_weight) * k.get(row, 0.0)) for row in rows]
    return sorted(scored, key=lambda item: (-item[1], item[0]))


def _min_max(results: Sequence[tuple[int, float]]) -> dict[int, float]:
    if not results:
        return {}
    scores = [score for _, score in results]
    low, high = min(scores), max(scores)
    if high - low < 1e-9:
        return {row: 1.0 for row, _ in results}
    return {row: (score - low) / (high - low) for row, score in results}
