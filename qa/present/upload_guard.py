"""What may be uploaded to the server: only the article types newsdesk reads, at most so many files, and
never past a cap on the bytes the upload folder holds, so that no visitor fills the disk. An upload is
spooled (memory, then a temporary file), its part names read, and only then handed to the web framework."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from qa.ingest.uploads import refused_name

SPOOL_MEMORY = 1 << 20  # bytes of an upload held in memory before it spills to a temporary file


def folder_bytes(folder: Path) -> int:
    """The bytes of every file under `folder` (0 when it does not exist)."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def refusal(filenames: list[str], max_files: int) -> str | None:
    """Why an upload of these files is refused, or None."""
    if len(filenames) > max_files:
        return f"{len(filenames)} files in one upload; at most {max_files}"
    for name in filenames:
        why = refused_name(name)
        if why:
            return f"{name}: {why}"
    return None


def part_filenames(spool, boundary: bytes) -> list[str]:
    """The file names of the parts of a multipart body, read with the parser the web framework uses."""
    from python_multipart.multipart import MultipartParser, parse_options_header

    names: list[str] = []
    field: list[bytes] = []
    value: list[bytes] = []

    def on_header_end() -> None:
        if b"".join(field).lower() == b"content-disposition":
            _, options = parse_options_header(b"".join(value))
            if b"filename" in options:
                names.append(options[b"filename"].decode("utf-8", "replace"))
        field.clear()
        value.clear()

    callbacks = {
        "on_header_field": lambda data, start, end: field.append(data[start:end]),
        "on_header_value": lambda data, start, end: value.append(data[start:end]),
        "on_header_end": on_header_end,
    }
    parser = MultipartParser(boundary, callbacks)
    spool.seek(0)
    while chunk := spool.read(1 << 16):
        parser.write(chunk)
    parser.finalize()
    return names


class UploadGuardMiddleware:
    """ASGI middleware for POST .../upload: refuses (415) files of other types, hidden files and too many
    files, and (507) an upload that would take the upload folder past `max_stored_bytes`."""

    def __init__(self, app, *, folder: Callable[[], Path], max_files: int, max_stored_bytes: int) -> None:
        self.app, self.folder, self.max_files, self.max_stored_bytes = app, folder, max_files, max_stored_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or not scope["path"].endswith("/upload"):
            await self.app(scope, receive, send)
            return
        from python_multipart.multipart import parse_options_header

        headers = dict(scope.get("headers") or [])
        kind, options = parse_options_header(headers.get(b"content-type", b""))
        try:
            declared = int(headers.get(b"content-length", b"0"))
        except ValueError:
            declared = 0
        room = self.max_stored_bytes - folder_bytes(self.folder())
        if declared > room:
            await _answer(send, 507, "the upload space is full: add or remove the files already uploaded")
            return
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY) as spool:
            size = 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away
                spool.write(message.get("body", b""))
                size += len(message.get("body", b""))
                if size > room:
                    await _answer(send, 507, "the upload space is full: add or remove the files already uploaded")
                    return
                if not message.get("more_body"):
                    break
            if kind == b"multipart/form-data" and b"boundary" in options:
                try:
                    why = refusal(part_filenames(spool, options[b"boundary"]), self.max_files)
                except Exception:  # a body the parser cannot read: the framework answers it as it would
                    why = None
                if why:
                    await _answer(send, 415, why)
                    return
            spool.seek(0)
            await self.app(scope, _replay_spool(spool, size), send)


def _replay_spool(spool, size: int):
    """The ASGI receive channel of a request whose body of `size` bytes was spooled."""
    sent = 0

    async def receive() -> dict:
        nonlocal sent
        if sent >= size and sent > 0:
            return {"type": "http.disconnect"}
        chunk = spool.read(1 << 16)
        sent += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": sent < size}

    return receive


async def _answer(send, status: int, text: str) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
