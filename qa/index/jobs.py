"""Indexing in the background: uploads are queued and built one at a time while questions keep being answered."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from qa.index.build_report import BuildReport

log = logging.getLogger(__name__)


@dataclass
class Job:
    """One queued indexing run: where it is (`state`, `stage`, `done` of `total`) and, once finished, its report."""

    id: int
    description: str
    state: str = "queued"  # queued, running, done, failed
    stage: str = ""
    done: int = 0
    total: int = 0
    report: BuildReport | None = None
    error: str = ""
    queued_at: float = field(default_factory=time.time)
    finished: threading.Event = field(default_factory=threading.Event, repr=False)

    def progress(self, stage: str, done: int, total: int) -> None:
        self.stage, self.done, self.total = stage, done, total

    def wait(self, timeout: float | None = None) -> BuildReport:
        """The report once the job has run; raises what it raised."""
        if not self.finished.wait(timeout):
            raise TimeoutError(f"indexing job {self.id} is still {self.state}")
        if self.report is None:
            raise RuntimeError(self.error or f"indexing job {self.id} failed")
        return self.report


class JobQueue:
    """A single worker thread that runs submitted indexing work in order."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Job, Callable[[Job], BuildReport]]] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._lock = threading.Lock()
        self._ids = 0
        self.jobs: list[Job] = []

    def submit(self, description: str, work: Callable[[Job], BuildReport]) -> Job:
        with self._lock:
            self._ids += 1
            job = Job(self._ids, description)
            self.jobs = [*self.jobs[-20:], job]
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="newsdesk-indexer", daemon=True)
                self._worker.start()
        self._queue.put((job, work))
        return job

    def pending(self) -> int:
        return sum(job.state in ("queued", "running") for job in self.jobs)

    def _run(self) -> None:
        _lower_priority()
        while True:
            job, work = self._queue.get()
            job.state = "running"
            try:
                job.report = work(job)
                job.state = "done"
            except Exception as error:  # the worker outlives a failed job; the job carries the reason
                log.exception("indexing job %s failed", job.id)
                job.state, job.error = "failed", f"{type(error).__name__}: {error}"
            finally:
                job.finished.set()
                self._queue.task_done()


def _lower_priority() -> None:
    """Let questions have the CPU first: the indexing thread runs at a lower scheduling priority (Linux
    schedules threads one by one; elsewhere this does nothing)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
