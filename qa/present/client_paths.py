"""Paths that come from a client: a file is read only when it really lies in the folder it may come from."""

from __future__ import annotations

import os
from pathlib import Path


def within(path: str | Path, folder: str | Path) -> bool:
    """Whether `path`, with every symbolic link and `..` resolved, lies inside `folder` (resolved too)."""
    real, root = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([real, root]) == root and real != root


def upload_folder() -> Path:
    """Where this server's web framework keeps the files clients uploaded to it."""
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder())
