"""What lets a training run go on where it stopped and run at the speed its machine allows: checkpoints
written atomically, and the choice of bfloat16 only where the CPU computes it."""

from __future__ import annotations

import os
from pathlib import Path


class Checkpoints:
    """The run's checkpoints in one folder, named by a fingerprint of the command, written atomically."""

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.path = folder / f"reader-{fingerprint}.pt"

    def load(self):
        import torch

        return torch.load(self.path, weights_only=False) if self.path.exists() else None

    def save(self, state: dict) -> None:
        import torch

        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        torch.save(state, partial)
        os.replace(partial, self.path)


def cpu_has_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX-512 BF16 or AMX): elsewhere autocast emulates it,
    about 25 times slower than float32 (measured on an AVX2-only EPYC)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return torch.backends.cpu.get_cpu_capability().startswith("AVX512")
