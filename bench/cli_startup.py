"""How long one `qa ask` takes from the shell, start-up included, against `python -c "import torch"` on the
same machine in the same run (the yardstick: a question should cost less than importing torch).

    python bench/cli_startup.py [--repeats 5] [--question "..."] [--index-dir DIR]

Each command runs `--repeats` times, alternating, after one warm-up run of each (the ONNX exports and word
vectors are built on first use and cached; the OS file cache is warm); medians and the fastest are printed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--question", default="How many were killed at Qa'im?")
    parser.add_argument("--index-dir", type=Path)
    args = parser.parse_args()
    where = ["--index-dir", str(args.index_dir)] if args.index_dir else []
    commands = {
        "qa ask": [sys.executable, "-m", "qa.present.cli", "ask", args.question, *where],
        "qa ask (a question naming a time)": [
            sys.executable,
            "-m",
            "qa.present.cli",
            "ask",
            "What happened at Qa'im in February 2024?",
            *where,
        ],
        "qa timeline": [sys.executable, "-m", "qa.present.cli", "timeline", "What happened at Qa'im?", *where],
        'python -c "import torch"': [sys.executable, "-c", "import torch"],
        'python -c "import transformers, sentence_transformers"': [
            sys.executable,
            "-c",
            "import transformers, sentence_transformers",
        ],
    }
    for command in commands.values():
        timed(command)  # builds what is cached on first use, warms the file cache
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.repeats):
        for name, command in commands.items():
            seconds[name].append(timed(command))
    torch = statistics.median(seconds['python -c "import torch"'])
    print(f"{args.repeats} runs each, wall seconds (median, fastest), ratio to importing torch:")
    for name, values in seconds.items():
        median = statistics.median(values)
        print(f"  {name:58s} {median:6.2f} s  {min(values):6.2f} s  {median / torch:5.2f}x")


if __name__ == "__main__":
    main()
