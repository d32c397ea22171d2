"""Meetings on the workbench: one's meetings and a new one (docs/meetings.md)."""

from __future__ import annotations

from bellwork.workbench.registry import Section, Tile

TILES = [Tile("meetings.list", Section.tools, "/meetings")]
