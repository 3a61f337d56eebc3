"""Tell where a long indexing job is: a bar on a terminal, a plain line every few seconds in a log."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

ProgressCallback = Callable[[str, int, int], None]


class Progress:
    """One stage of a job (`done` of `total` units); `update()` as work completes, `close()` at the end.

    On a terminal it draws a tqdm bar; when the output is a log (not a TTY) it writes one line every
    `interval` seconds with the count, the rate and the time left. `callback(stage, done, total)` is told
    of every update (the UI's progress bar).
    """

    def __init__(
        self,
        stage: str,
        total: int,
        unit: str,
        *,
        enabled: bool = True,
        interval: float = 5.0,
        stream: TextIO | None = None,
        callback: ProgressCallback | None = None,
    ) -> None:
        self.stage, self.total, self.unit = stage, total, unit
        self.done = 0
        self.interval = interval
        self.stream = stream or sys.stderr
        self.callback = callback
        self.started = self._last_line = time.monotonic()
        self._bar = None
        self._wanted = enabled
        self.enabled = False
        self.grow(total)

    def update(self, n: int = 1) -> None:
        self.done += n
        if self.callback:
            self.callback(self.stage, self.done, self.total)
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(n)
        elif time.monotonic() - self._last_line >= self.interval:
            self._write_line()

    def grow(self, total: int) -> None:
        """Raise the total while the work is still being found (chunks are embedded while splitting goes on)."""
        self.total = max(self.total, total)
        self.enabled = self._wanted and self.total > 0
        if self._bar is not None:
            self._bar.total = self.total
            self._bar.refresh()
        elif self.enabled and _is_terminal(self.stream):
            from tqdm import tqdm

            unit = f" {self.unit}"
            self._bar = tqdm(total=self.total, desc=self.stage, unit=unit, file=self.stream, dynamic_ncols=True)
            self._bar.update(self.done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self.enabled and self.done:
            self._write_line()

    def line(self) -> str:
        """'embedding: 1,200/45,681 chunks (3%), 41.0 chunks/s, about 18m 02s left'."""
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.done / elapsed
        share = self.done / self.total
        text = f"{self.stage}: {self.done:,}/{self.total:,} {self.unit} ({share:.0%}), {rate:,.1f} {self.unit}/s"
        if 0 < self.done < self.total and rate > 0:
            text += f", about {_duration((self.total - self.done) / rate)} left"
        return text

    def _write_line(self) -> None:
        self._last_line = time.monotonic()
        print(self.line(), file=self.stream, flush=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {seconds:02d}s"
    return f"{seconds}s"
