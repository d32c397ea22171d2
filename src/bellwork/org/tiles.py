"""The organisation's workbench tiles: the unit tree for everyone, spreadsheet import for
those who manage units."""

from __future__ import annotations

from bellwork.workbench.registry import Section, Tile, managers

TILES = [
    Tile("org.units", Section.tools, "/units"),
    Tile("org.import", Section.admin, "/import", visible=managers),
]
