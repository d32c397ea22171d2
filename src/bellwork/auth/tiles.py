"""Accounts on the workbench: one's API tokens (for scripts and robots)."""

from __future__ import annotations

from bellwork.workbench.registry import Section, Tile

TILES = [Tile("auth.tokens", Section.tools, "/tokens")]
