"""The reader under ONNX Runtime and torch: the same spans and scores, int8 close to them, and torch when
ONNX Runtime cannot be had."""

from __future__ import annotations

import logging

import pytest

from qa.answer.answerer import select_windows
from qa.answer.reader import Reader

QUESTIONS = ["How many people were killed at Qa'im?", "Who is the spokesman of the Pentagon?"]


@pytest.fixture()
def windows(assistant):
    return {question: select_windows(question, assistant.retriever.run(question), 3) for question in QUESTIONS}


def _read(reader: Reader, windows) -> list[tuple[str, int, int, float]]:
    return [
        (question, reading.start, reading.end, reading.margin)
        for question, some in windows.items()
        for reading in reader.run(question, some)
    ]


def test_onnx_runtime_reads_the_same_spans_and_margins_as_torch(assistant, windows, tmp_path):
    path = assistant.settings.reader_dir
    onnx = _read(Reader(path, onnx_cache=assistant.settings.cache_folder), windows)
    torch = _read(Reader(path), windows)
    assert len(onnx) == len(torch) == 6
    for got, expected in zip(onnx, torch, strict=True):
        assert got[:3] == expected[:3] and got[3] == pytest.approx(expected[3], abs=1e-3)


def test_int8_keeps_the_best_span_of_a_clear_question(assistant, windows):
    path, cache = assistant.settings.reader_dir, assistant.settings.cache_folder
    fp32 = Reader(path, onnx_cache=cache).run(QUESTIONS[0], windows[QUESTIONS[0]])[0]
    int8 = Reader(path, onnx_cache=cache, quantize=True).run(QUESTIONS[0], windows[QUESTIONS[0]])[0]
    assert (int8.start, int8.end) == (fp32.start, fp32.end)
    assert int8.margin == pytest.approx(fp32.margin, abs=1.5) and int8.margin != fp32.margin


def test_without_a_usable_cache_folder_it_reads_with_torch_and_says_so(assistant, windows, tmp_path, caplog):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    reader = Reader(assistant.settings.reader_dir, onnx_cache=blocked)
    with caplog.at_level(logging.WARNING, logger="qa.answer.reader"):
        readings = _read(reader, windows)
    assert "reading with torch" in caplog.text
    assert [reading[:3] for reading in readings] == [reading[:3] for reading in _read(Reader(reader.path), windows)]
