"""ONNX exports of torch models: cached once per weights, the same outputs as torch, nothing half-written.

The model here is a tiny randomly initialised BERT built for the test (a fixture, not a shipped model)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from qa import runtime

pytestmark = pytest.mark.model  # exports a (tiny) torch model: slower than the unit tests, though no weights load

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


@pytest.fixture()
def tiny(tmp_path):
    """A 2-layer BERT of width 32 with random weights, its weights file and the sample inputs an export needs."""
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64
    )
    model = transformers.BertModel(config).eval()
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"stands for the weights: the cache is keyed by this file")
    builds: list[int] = []

    def build():
        builds.append(1)
        sample = {name: torch.ones((1, 4), dtype=torch.int64) for name in runtime.INPUTS}
        sample["token_type_ids"] = torch.zeros((1, 4), dtype=torch.int64)
        module = runtime.positional(model, lambda output: (output.last_hidden_state,))
        return module, tuple(sample[name] for name in runtime.INPUTS)

    return model, weights, build, builds


def _inputs(batch: int, tokens: int) -> dict[str, np.ndarray]:
    ids = np.random.default_rng(batch * tokens).integers(1, 100, size=(batch, tokens), dtype=np.int64)
    mask = np.ones_like(ids)
    mask[-1, tokens // 2 :] = 0  # a padded row, as batches of windows have
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}


def test_the_export_reads_like_torch_at_any_batch_and_length(tiny, tmp_path):
    model, weights, build, _ = tiny
    session = runtime.session("tiny", weights, build, ("hidden",), cache=tmp_path / "cache")
    for batch, tokens in [(1, 3), (3, 17)]:
        inputs = _inputs(batch, tokens)
        (got,) = session.run(None, inputs)
        with torch.inference_mode():
            expected = model(**{name: torch.from_numpy(value) for name, value in inputs.items()}).last_hidden_state
        assert got.shape == (batch, tokens, 32)
        assert np.allclose(got, expected.numpy(), atol=1e-4)


def test_an_export_is_made_once_and_again_only_for_new_weights(tiny, tmp_path):
    _, weights, build, builds = tiny
    cache = tmp_path / "cache"
    first = runtime.exported("tiny", weights, build, ("hidden",), cache=cache, int8=False)
    assert runtime.exported("tiny", weights, build, ("hidden",), cache=cache, int8=False) == first
    assert len(builds) == 1
    weights.write_bytes(b"new weights, another size")
    second = runtime.exported("tiny", weights, build, ("hidden",), cache=cache, int8=False)
    assert second != first and len(builds) == 2


def test_int8_is_quantised_from_the_one_fp32_export(tiny, tmp_path):
    _, weights, build, builds = tiny
    cache = tmp_path / "cache"
    int8 = runtime.exported("tiny", weights, build, ("hidden",), cache=cache, int8=True)
    fp32 = runtime.exported("tiny", weights, build, ("hidden",), cache=cache, int8=False)
    assert int8.name.endswith("-int8.onnx") and fp32.exists() and len(builds) == 1
    session = runtime.session("tiny", weights, build, ("hidden",), cache=cache, int8=True)
    (hidden,) = session.run(None, _inputs(2, 5))
    assert hidden.shape == (2, 5, 32) and np.isfinite(hidden).all()


def test_a_failed_export_leaves_no_file_behind(tiny, tmp_path):
    _, weights, _, _ = tiny

    def broken():
        raise RuntimeError("export failed halfway")

    cache = tmp_path / "cache"
    with pytest.raises(RuntimeError, match="halfway"):
        runtime.exported("tiny", weights, broken, ("hidden",), cache=cache, int8=False)
    assert list(cache.glob("*.onnx")) == []


def test_two_threads_asking_at_once_share_one_export(tiny, tmp_path):
    _, weights, build, builds = tiny
    cache = tmp_path / "cache"
    paths = []
    threads = [
        threading.Thread(
            target=lambda: paths.append(runtime.exported("tiny", weights, build, ("hidden",), cache=cache, int8=False))
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1 and paths[0] == paths[1] and paths[0].exists()
