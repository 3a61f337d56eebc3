"""Evaluation: run question sets through the Assistant, score them and write reports."""
