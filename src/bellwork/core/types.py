"""Bounded integer types for ids and sequence numbers in requests.

Database ids are 64-bit; a larger number in a path, query or body is a 422, never a driver error.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=0, le=MAX_ID)]
PathId = Annotated[int, Path(ge=0, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=0, le=MAX_ID)]
