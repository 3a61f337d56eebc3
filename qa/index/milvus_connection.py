"""Reaching a Milvus server: the client, the collections' names for an index, and filters as expressions."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from typing import TYPE_CHECKING

from qa.errors import BackendUnreachable, IndexUnusable
from qa.filters import Filters

if TYPE_CHECKING:
    from pymilvus import MilvusClient

    from qa.settings import Settings

# pymilvus pings every 10 s even when idle; servers that allow fewer pings (milvus-lite's gRPC default: one
# per 5 minutes) answer with GOAWAY "too_many_pings" and drop the connection during a long embedding stage
KEEPALIVE = {"grpc.keepalive_time_ms": 300_000, "grpc.keepalive_permit_without_calls": False}


def collection_prefix(settings: Settings) -> str:
    """`NEWSDESK_MILVUS_COLLECTION`, or a name made from the index folder so each index has its own."""
    if settings.milvus_collection:
        name = settings.milvus_collection
    else:
        folder = settings.index_dir.expanduser().resolve()
        digest = hashlib.sha1(str(folder).encode()).hexdigest()[:8]
        name = f"newsdesk_{re.sub(r'[^0-9A-Za-z]+', '_', folder.name)[:40]}_{digest}"
    if not re.fullmatch(r"[A-Za-z_][0-9A-Za-z_]{0,200}", name):
        raise IndexUnusable(
            f"NEWSDESK_MILVUS_COLLECTION={name!r}: use letters, digits and underscores, not starting with a digit"
        )
    return name


def connect_client(settings: Settings) -> MilvusClient:
    """A client for the server at `milvus_uri`; BackendUnreachable says how to start one when none answers."""
    try:
        from pymilvus import MilvusClient
    except ImportError as error:
        raise BackendUnreachable('NEWSDESK_BACKEND=milvus needs pymilvus: pip install -e ".[milvus]"') from error
    logging.getLogger("pymilvus").setLevel(logging.ERROR)  # its iterator warns about timestamps it handles
    try:
        return MilvusClient(uri=settings.milvus_uri, token=settings.milvus_token, timeout=10, grpc_options=KEEPALIVE)
    except Exception as error:  # pymilvus raises its own exception types, and gRPC ones, for a dead server
        raise BackendUnreachable(
            f"cannot reach Milvus at {settings.milvus_uri} ({type(error).__name__}: {error}); start the server "
            "(README, 'Milvus') or set NEWSDESK_MILVUS_URI"
        ) from error


def expression(filters: Filters | None) -> str:
    """The Milvus boolean expression for `filters` (same rules as the embedded backend's allowed rows)."""
    if filters is None or not filters.active:
        return ""
    parts = []
    if filters.since or filters.until:
        parts.append('date != ""')
    if filters.since:
        parts.append(f'date >= "{filters.since.isoformat()}"')
    if filters.until:
        parts.append(f'date <= "{filters.until.isoformat()}"')
    if filters.as_of:
        parts.append(f'(date == "" or date <= "{filters.as_of.isoformat()}")')
    if filters.sources:
        parts.append(f"source in {json.dumps([s.lower() for s in filters.sources])}")
    return " and ".join(parts)
