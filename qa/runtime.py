"""ONNX Runtime sessions for the models read at question time (the query encoder and the reader): each is
exported from its torch weights once, kept in the cache folder, and read faster than torch reads it."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch
    from onnxruntime import InferenceSession

log = logging.getLogger(__name__)

EXPORT_VERSION = 1  # bump when the exported graph changes, so cached files are rebuilt
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OPSET = 17

# What to export: the torch module (taking INPUTS in order) and a sample of those inputs; called only
# when no cached export exists, so a cached model never loads its torch weights.
Build = Callable[[], "tuple[torch.nn.Module, tuple[torch.Tensor, ...]]"]


def session(
    name: str,
    weights: Path,
    build: Build,
    outputs: tuple[str, ...],
    *,
    cache: Path,
    threads: int = 1,
    int8: bool = False,
) -> InferenceSession:
    """An ONNX Runtime session of the model `build` makes from `weights`, exported on first use."""
    import onnxruntime

    path = exported(name, weights, build, outputs, cache=cache, int8=int8)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def exported(name: str, weights: Path, build: Build, outputs: tuple[str, ...], *, cache: Path, int8: bool) -> Path:
    """The cached ONNX file of the model, exported (and quantised, with `int8`) when it is missing. Files are
    named after the weights' path, size and modification time, so new weights get a new export; a lock
    keeps two processes from exporting at once, and a file appears only when it is complete."""
    from filelock import FileLock

    target = cache / f"{name}-{cache_key(weights)}{'-int8' if int8 else ''}.onnx"
    if target.exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if target.exists():
            return target
        fp32 = target.with_name(f"{name}-{cache_key(weights)}.onnx")
        if not fp32.exists():
            log.info("exporting %s to %s for ONNX Runtime (once)", weights, fp32)
            module, sample = build()
            write_atomically(fp32, lambda temporary: _export(module, sample, outputs, temporary))
        if int8:
            write_atomically(target, lambda temporary: _quantize(fp32, temporary))
    return target


def positional(model: torch.nn.Module, outputs: Callable[[object], tuple]) -> torch.nn.Module:
    """`model` as ONNX export wants it: INPUTS in order as positional tensors, the tensors `outputs` picks
    from its result out."""
    import torch

    class Positional(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            inputs = {"input_ids": input_ids, "attention_mask": attention_mask, "token_type_ids": token_type_ids}
            return outputs(self.model(**inputs))

    return Positional()


def cache_key(weights: Path) -> str:
    """Names an export of `weights`: their resolved path, size and modification time, the torch version and
    EXPORT_VERSION (read from the package's metadata: importing torch would cost a second)."""
    from importlib.metadata import version

    stat = weights.stat()
    facts = f"{weights.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{version('torch')}|{EXPORT_VERSION}"
    return hashlib.sha256(facts.encode()).hexdigest()[:16]


def write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """`write` into a temporary file beside `target`, then rename it there: the file appears whole or not at all."""
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=target.suffix)
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _export(module: torch.nn.Module, sample: tuple[torch.Tensor, ...], outputs: tuple[str, ...], path: Path) -> None:
    import warnings

    import torch

    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, *outputs)}
    # The tracer warns about Python branches it fixes as constants; the exported graph is checked against
    # torch's own outputs in the tests, so the warnings tell a user nothing.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module.eval(),
            sample,
            str(path),
            input_names=list(INPUTS),
            output_names=list(outputs),
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )


def _quantize(fp32: Path, path: Path) -> None:
    """ONNX Runtime's dynamic int8 quantisation of the weights, one scale per output channel."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantiser logs advice on the root logger ("consider pre-processing")
    try:
        quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.setLevel(level)
