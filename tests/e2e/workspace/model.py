"""Imported by sweep.py: a run from the editor copies the whole project."""

GREETING = "model.py says hello"
