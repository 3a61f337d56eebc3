"""newsdesk's one exception family: each error says what went wrong and what to do about it."""

from __future__ import annotations


class NewsdeskError(Exception):
    """Base of every error newsdesk raises on purpose."""


class InvalidQuestion(NewsdeskError, ValueError):
    """The question is empty or too long to be a question."""


class IndexUnusable(NewsdeskError):
    """The index is missing, unreadable or built with other settings."""


class IndexMissing(IndexUnusable):
    """No index has been built in the folder yet."""


class IndexOfAnotherFolder(NewsdeskError):
    """Indexing a folder into an index that holds another folder's articles would drop them."""


class ModelMissing(NewsdeskError):
    """A model the product ships with is not where it should be."""


class SettingInvalid(NewsdeskError, ValueError):
    """A setting has a value newsdesk cannot use."""


class BackendUnreachable(NewsdeskError):
    """The search backend (a Milvus server) cannot be reached or is not installed."""
