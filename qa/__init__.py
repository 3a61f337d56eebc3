"""newsdesk: ask questions of a folder of news articles and get answers with exact cited passages."""

from qa.api import ask
from qa.assistant import Assistant
from qa.errors import InvalidQuestion, NewsdeskError
from qa.types import Answer, Chunk, Citation, Document, Passage

__all__ = ["Answer", "Assistant", "Chunk", "Citation", "Document", "InvalidQuestion", "NewsdeskError", "Passage", "ask"]
