"""Bellwork: a self-hostable digital workplace and online school."""

__version__ = "0.1.0"
