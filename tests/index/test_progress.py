"""Long jobs tell where they are: a line every few seconds when the output is a log."""

import io

from qa.index.progress import Progress


def test_a_log_gets_lines_with_count_rate_and_time_left():
    log = io.StringIO()
    with Progress("embedding", 100, "chunks", interval=0.0, stream=log) as stage:
        stage.update(40)
        stage.update(60)
    lines = log.getvalue().splitlines()
    assert lines[0].startswith("embedding: 40/100 chunks (40%)")
    assert "chunks/s" in lines[0] and "left" in lines[0]
    assert lines[-1].startswith("embedding: 100/100 chunks (100%)") and "left" not in lines[-1]


def test_lines_are_spaced_by_the_interval():
    log = io.StringIO()
    with Progress("splitting", 1000, "articles", interval=3600, stream=log) as stage:
        for _ in range(1000):
            stage.update()
    assert len(log.getvalue().splitlines()) == 1  # only the closing line


def test_disabled_progress_writes_nothing_but_still_calls_back():
    log, seen = io.StringIO(), []
    with Progress("embedding", 3, "chunks", enabled=False, stream=log, callback=lambda *a: seen.append(a)) as stage:
        stage.update(3)
    assert log.getvalue() == ""
    assert seen == [("embedding", 3, 3)]


def test_a_total_found_while_working_grows_and_the_lines_follow_it():
    log, seen = io.StringIO(), []
    with Progress("embedding", 0, "chunks", interval=0.0, stream=log, callback=lambda *a: seen.append(a)) as stage:
        stage.grow(512)
        stage.update(512)
        stage.grow(2000)
        stage.update(1488)
    lines = log.getvalue().splitlines()
    assert lines[0].startswith("embedding: 512/512 chunks") and lines[1].startswith("embedding: 2,000/2,000 chunks")
    assert seen == [("embedding", 512, 512), ("embedding", 2000, 2000)]


def test_nothing_to_do_writes_nothing():
    log = io.StringIO()
    with Progress("embedding", 0, "chunks", interval=0.0, stream=log):
        pass
    assert log.getvalue() == ""
