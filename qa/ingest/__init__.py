"""Ingest: load article files, clean off site boilerplate, find title/date/source, split into chunks."""
