"""The Milvus backend's pure parts (no server): filter expressions, collection names, byte limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.errors import IndexUnusable
from qa.filters import Filters
from qa.index.milvus_connection import collection_prefix, expression
from qa.index.milvus_writes import _clip
from qa.settings import Settings


def test_no_filters_is_no_expression():
    assert expression(None) == "" and expression(Filters()) == ""


def test_a_range_leaves_undated_articles_out_and_as_of_keeps_them():
    ranged = expression(Filters.of(since="2024-01-01", until="2024-02-01"))
    assert ranged == 'date != "" and date >= "2024-01-01" and date <= "2024-02-01"'
    assert expression(Filters.of(as_of="2024-03-05")) == '(date == "" or date <= "2024-03-05")'


def test_outlets_are_matched_without_case_and_quoted_safely():
    made = expression(Filters.of(sources=["Press TV", 'The "Daily" O\'Brien']))
    assert made == 'source in ["press tv", "the \\"daily\\" o\'brien"]'


def test_each_index_folder_gets_its_own_collections(tmp_path: Path):
    first = collection_prefix(Settings(index_dir=tmp_path / "a-b"))
    second = collection_prefix(Settings(index_dir=tmp_path / "other" / "a-b"))
    assert first.startswith("newsdesk_a_b_") and first != second
    assert collection_prefix(Settings(milvus_collection="newsroom")) == "newsroom"
    with pytest.raises(IndexUnusable, match="NEWSDESK_MILVUS_COLLECTION"):
        collection_prefix(Settings(milvus_collection="1; drop"))


def test_text_is_clipped_to_bytes_on_a_character_boundary():
    assert _clip("abc", 10) == "abc"
    clipped = _clip("é" * 10, 5)  # two bytes each
    assert clipped == "éé" and len(clipped.encode()) <= 5
