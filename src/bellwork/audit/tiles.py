"""The audit log on the workbench, for installation admins."""

from __future__ import annotations

from bellwork.workbench.registry import Section, Tile, admins

TILES = [Tile("audit.log", Section.admin, "/audit", visible=admins)]
