"""Bounded integer types for ids and sequence numbers in requests.

Database ids are 64-bit and sequence numbers 32-bit; a larger number in a path, query or body is
a 422, never a driver error.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

MAX_ID = 2**63 - 1
# Sequence numbers within a conversation are 32-bit columns: a larger one is a 422 too.
MAX_SEQ = 2**31 - 1

Id = Annotated[int, Field(ge=0, le=MAX_ID)]
PathId = Annotated[int, Path(ge=0, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=0, le=MAX_ID)]

Seq = Annotated[int, Field(ge=0, le=MAX_SEQ)]
PathSeq = Annotated[int, Path(ge=0, le=MAX_SEQ)]
QuerySeq = Annotated[int | None, Query(ge=0, le=MAX_SEQ)]
