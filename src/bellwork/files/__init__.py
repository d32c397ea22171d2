"""Stored files for every domain (DESIGN.md, "Files").

`files/` keeps bytes under keys: a local folder by default, an S3-compatible bucket when
BELLWORK_FILES_URL names one (location.py). The process's runtime builds the one `Storage`
(`runtime.files`, from `open_storage`) that the app, the workers and the jobs share.

Which keys exist, who may read them and when they go belong to the domain that stored them: it
keeps the keys in its own rows and checks access before it answers (chat: chat/files.py).
`sniff.inspect` tells what uploaded bytes are; `responses.send` answers a download from a store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bellwork.files.location import BadFilesUrl, S3Location, parse
from bellwork.files.storage import BadKey, LocalStorage, Storage, Stream, new_key

if TYPE_CHECKING:
    from bellwork.config import Settings

__all__ = [
    "BadFilesUrl",
    "BadKey",
    "LocalStorage",
    "S3Location",
    "Storage",
    "Stream",
    "new_key",
    "open_storage",
    "parse",
]


def open_storage(settings: Settings) -> Storage:
    """The store the settings name: `<data dir>/files` unless BELLWORK_FILES_URL says else."""
    if not settings.files_url:
        return LocalStorage(settings.data_dir / "files")
    where = parse(settings.files_url)
    if not isinstance(where, S3Location):
        return LocalStorage(where)
    from dataclasses import replace

    from bellwork.files.s3 import S3Storage  # obstore loads only when a bucket is used

    secret = settings.files_secret_access_key
    return S3Storage(
        replace(
            where,
            access_key_id=settings.files_access_key_id or None,
            secret_access_key=secret.get_secret_value() if secret else None,
        )
    )
