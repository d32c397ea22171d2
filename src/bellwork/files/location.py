"""Where files are kept, as BELLWORK_FILES_URL says (docs/configuration.md, "Files"):

    unset                               <data dir>/files on this machine
    file:///srv/bellwork/files          another local (or mounted) folder
    s3://bucket[/prefix][?endpoint=URL&region=R&virtual_hosted=true]
                                        an S3-compatible bucket; without `endpoint`, AWS itself

Credentials never go in the URL (it is logged): BELLWORK_FILES_ACCESS_KEY_ID and
BELLWORK_FILES_SECRET_ACCESS_KEY, or the usual AWS_* variables and instance roles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

_BUCKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$")
_OPTIONS = {"endpoint", "region", "virtual_hosted"}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class BadFilesUrl(ValueError):
    pass


@dataclass(frozen=True)
class S3Location:
    """Where the bucket is (from BELLWORK_FILES_URL) and how to sign for it."""

    bucket: str
    prefix: str = ""
    endpoint: str | None = None  # None: AWS itself
    region: str | None = None
    virtual_hosted: bool = False  # bucket.host/key instead of host/bucket/key
    access_key_id: str | None = None  # None: AWS_* environment variables, instance roles
    secret_access_key: str | None = None

    def url(self) -> str:
        where = f"s3://{self.bucket}/{self.prefix}".rstrip("/")
        return f"{where} at {self.endpoint}" if self.endpoint else where


def parse(url: str) -> Path | S3Location:
    """A local folder, or a bucket (without credentials). Raises BadFilesUrl."""
    parts = urlsplit(url.strip())
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise BadFilesUrl("a file URL names an absolute folder: file:///srv/bellwork/files")
        return Path(unquote(parts.path))
    if parts.scheme != "s3":
        raise BadFilesUrl("files URL must start with s3:// or file:///")
    if not _BUCKET.match(parts.netloc):
        raise BadFilesUrl(f"not a bucket name: {parts.netloc!r}")
    if parts.fragment or "@" in url.split("?", 1)[0]:
        raise BadFilesUrl("credentials go in BELLWORK_FILES_ACCESS_KEY_ID/_SECRET_ACCESS_KEY")
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = set(options) - _OPTIONS
    if unknown:
        raise BadFilesUrl(f"unknown files URL option(s): {', '.join(sorted(unknown))}")
    endpoint = options.get("endpoint") or None
    if endpoint is not None:
        ep = urlsplit(endpoint)
        if ep.scheme not in ("http", "https") or not ep.netloc or ep.username or ep.password:
            raise BadFilesUrl("endpoint must be an http:// or https:// address without a user")
        endpoint = endpoint.rstrip("/")
    hosted = options.get("virtual_hosted", "false").lower()
    if hosted not in _TRUE | _FALSE:
        raise BadFilesUrl("virtual_hosted is true or false")
    prefix = unquote(parts.path).strip("/")
    if any(seg in ("", ".", "..") for seg in prefix.split("/")) and prefix:
        raise BadFilesUrl(f"not a usable prefix: {prefix!r}")
    return S3Location(
        bucket=parts.netloc,
        prefix=prefix,
        endpoint=endpoint,
        region=options.get("region") or None,
        virtual_hosted=hosted in _TRUE,
    )
