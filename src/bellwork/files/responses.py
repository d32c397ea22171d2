"""Answering a download from a store: the HTTP edge of files/, used by a domain's api.py once it
has decided that the caller may read the file.

From the local folder the file is sent as it is on disk (starlette's FileResponse: sendfile,
ranges). From a bucket it is streamed through this node in chunks, never held whole in memory,
and a single byte range (`Range: bytes=a-b`, how browsers seek in audio and video) is answered
with 206 and just those bytes.
"""

from __future__ import annotations

import asyncio
import re
from email.utils import format_datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse

from bellwork.core.errors import NotFound
from bellwork.files.storage import Storage

if TYPE_CHECKING:
    from bellwork.files.uploads import StoredRow

# A domain's stored upload: never sniffed into something else by the browser, cached privately.
PRIVATE = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=86400"}

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def disposition(kind: str, name: str) -> str:
    """A Content-Disposition value (`inline` or `attachment`) for a file name in any script."""
    quoted = quote(name)
    if quoted == name:
        return f'{kind}; filename="{name}"'
    return f"{kind}; filename*=utf-8''{quoted}"


def _wanted(request: Request, size: int) -> tuple[int, int] | bool | None:
    """The one range asked for as (first, end exclusive); None for the whole file; False when
    it cannot be satisfied."""
    header = request.headers.get("range")
    if not header:
        return None
    if request.headers.get("if-range") is not None:
        return None  # only if unchanged since the client's copy: the whole file is always right
    match = _RANGE.match(header.replace(" ", ""))
    if match is None or match.group(1) == match.group(2) == "":
        return None  # several ranges, or none we understand: the whole file is a valid answer
    first_s, last_s = match.groups()
    if first_s == "":
        length = int(last_s)
        if length == 0:
            return False
        return max(size - length, 0), size
    first = int(first_s)
    last = int(last_s) if last_s else size - 1
    if first >= size or last < first:
        return False
    return first, min(last + 1, size)


async def send(
    request: Request,
    storage: Storage,
    key: str,
    *,
    media_type: str,
    headers: dict[str, str],
    filename: str | None = None,
    inline: bool = False,
) -> Response | None:
    """The stored object as the answer to `request`, or None when it is not in the store."""
    kind = "inline" if inline else "attachment"
    path = storage.local_path(key)
    if path is not None:
        if not await asyncio.to_thread(path.is_file):
            return None
        return FileResponse(
            path,
            media_type=media_type,
            filename=filename,
            content_disposition_type=kind,
            headers=headers,
        )
    out = dict(headers)
    out["accept-ranges"] = "bytes"
    if filename is not None:
        out["content-disposition"] = disposition(kind, filename)
    ranged = request.headers.get("range") is not None
    first, end, status = 0, None, 200
    if ranged:
        size = await storage.size(key)
        if size is None:
            return None
        wanted = _wanted(request, size)
        if wanted is False:
            out["content-range"] = f"bytes */{size}"
            return Response(status_code=416, headers=out)
        if isinstance(wanted, tuple):
            first, end = wanted
            status = 206
    stream = await storage.stream(key, first, end)
    if stream is None:
        return None
    if status == 206:
        out["content-range"] = f"bytes {stream.start}-{stream.end - 1}/{stream.size}"
    out["content-length"] = str(stream.end - stream.start)
    if stream.etag:
        out["etag"] = stream.etag
    if stream.modified is not None:
        out["last-modified"] = format_datetime(stream.modified, usegmt=True)
    return StreamingResponse(
        stream.chunks,
        status_code=status,
        media_type=media_type,
        headers=out,
        background=BackgroundTask(stream.aclose),
    )


async def send_file(
    request: Request,
    storage: Storage,
    row: StoredRow,
    *,
    inline: bool,
    headers: dict[str, str] = PRIVATE,
) -> Response:
    """A domain's stored upload (its row), once the domain has decided the caller may read
    it: 404 `not_found` when its bytes are gone."""
    answer = await send(
        request,
        storage,
        row.storage_key,
        media_type=row.content_type,
        filename=row.name,
        inline=inline,
        headers=headers,
    )
    if answer is None:
        raise NotFound("file")
    return answer


async def send_thumbnail(
    request: Request, storage: Storage, row: StoredRow, *, headers: dict[str, str] = PRIVATE
) -> Response:
    """An image upload's thumbnail (JPEG); 404 when it has none."""
    answer = None
    if row.thumb_key is not None:
        answer = await send(
            request, storage, row.thumb_key, media_type="image/jpeg", headers=headers
        )
    if answer is None:
        raise NotFound("file")
    return answer
