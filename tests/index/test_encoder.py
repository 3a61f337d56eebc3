"""The embedding model's token counts (what chunks are packed by) and where it runs."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from qa.errors import SettingInvalid
from qa.index.encoder import Encoder
from qa.settings import Settings


def test_token_counts_are_the_model_tokenizers_without_padding_or_special_tokens(encoder):
    texts = ["Gaza", "", "The PMU said 16 people were killed and 36 injured in al-Qa’im.", "word " * 300]
    from transformers import AutoTokenizer

    from qa.index.encoder import model_path

    reference = AutoTokenizer.from_pretrained(model_path())  # what sentence-transformers reads with
    expected = [len(reference(text, add_special_tokens=False)["input_ids"]) for text in texts]
    assert encoder.count_tokens(texts) == expected and expected[0] < 5 and expected[-1] == 300


def test_auto_runs_on_the_cpu_without_a_gpu_and_asking_for_one_that_is_not_there_says_so():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    assert Encoder(Settings.from_env(device="auto")).device == "cpu"
    with pytest.raises(SettingInvalid, match="NEWSDESK_DEVICE=cuda but torch sees no CUDA GPU"):
        Encoder(Settings.from_env(device="cuda")).run(["indexing needs the model"])


def test_a_question_is_embedded_by_onnx_runtime_into_the_vector_torch_gives(encoder, monkeypatch):
    question = "How many people were killed and injured in al-Qa’im, according to the PMU?"
    expected = encoder.run([question], threads=1)[0]

    def not_torch(*args, **kwargs):
        raise AssertionError("the question went to torch")

    monkeypatch.setattr(encoder, "run", not_torch)
    vector = encoder.query(question)
    assert vector.dtype == np.float32 and abs(float(np.linalg.norm(vector)) - 1) < 1e-5
    assert float(vector @ expected) > 0.99999


@pytest.mark.model
def test_with_the_torch_runtime_questions_are_embedded_by_torch(monkeypatch):
    encoder = Encoder(Settings.from_env(runtime="torch"))
    calls = []
    original = encoder.run
    monkeypatch.setattr(encoder, "run", lambda texts, **kwargs: calls.append(texts) or original(texts, **kwargs))
    assert encoder.query("Who speaks for the Pentagon?").shape == (384,) and calls == [["Who speaks for the Pentagon?"]]


@pytest.mark.model
def test_without_a_usable_cache_folder_questions_are_embedded_by_torch_and_the_log_says_why(tmp_path, caplog):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    encoder = Encoder(Settings.from_env(cache_dir=str(blocked)))
    with caplog.at_level(logging.WARNING, logger="qa.index.encoder"):
        vector = encoder.query("Who speaks for the Pentagon?")
    assert "encoding questions with torch" in caplog.text
    assert float(vector @ encoder.run(["Who speaks for the Pentagon?"], threads=1)[0]) > 0.99999
