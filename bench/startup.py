"""Time from `python app.py` to the first page served: cold (no index yet) and with the index on disk.

python bench/startup.py
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def serve_time(index_dir: Path) -> float:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--port", str(port), "--index-dir", str(index_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NEWSDESK_CORPUS_DIR": str(ROOT / "corpus")},
    )
    try:
        while time.perf_counter() - started < 300:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.2)
        raise TimeoutError("the app did not serve within 300 s")
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    index_dir = Path(tempfile.mkdtemp(prefix="startup-index-"))
    print(f"cold (builds the index of corpus/): {serve_time(index_dir):.1f} s to first page")
    print(f"index on disk:                      {serve_time(index_dir):.1f} s to first page")


if __name__ == "__main__":
    main()
