"""The reader under ONNX Runtime and torch: the same spans and scores, int8 close to them, and torch when
ONNX Runtime cannot be had; a question of any allowed length is read."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.answer.answerer import select_windows
from qa.answer.reader import Reader
from qa.settings import Settings

QUESTIONS = ["How many people were killed at Qa'im?", "Who is the spokesman of the Pentagon?"]
WORDS = ["How", "many", "killed", "Qa'im?", "antidisestablishmentarianism", "16", "—", "é", "\n", "«?»"]


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


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(length=st.integers(1, Settings().max_question_chars), words=st.lists(st.sampled_from(WORDS), min_size=1))
def test_a_question_of_any_allowed_length_is_read_not_crashed_on(assistant, windows, length, words):
    question = (" ".join(words) * (length // 2 + 1))[:length]
    readings = assistant.answerer.reader.run(question, windows[QUESTIONS[0]])
    assert len(readings) == len(windows[QUESTIONS[0]])
    assert all(window.start <= r.start <= r.end <= window.end for r in readings for window in [r.window])
