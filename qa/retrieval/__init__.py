"""Retrieval: dense and keyword candidates for a question, fused into ranked passages."""
