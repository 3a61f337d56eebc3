"""newsdesk: ask questions of a folder of news articles and get answers with exact cited passages."""

from qa.offline import go_offline

go_offline()

from qa.assistant import Assistant, InvalidQuestion, ask  # noqa: E402
from qa.types import Answer, Chunk, Citation, Document, Passage  # noqa: E402

__all__ = ["Answer", "Assistant", "Chunk", "Citation", "Document", "InvalidQuestion", "Passage", "ask"]
