"""BELLWORK_FILES_URL: what it may say, and what a mistake in it gets (an error at start)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bellwork.config import Settings
from bellwork.files import LocalStorage, S3Location, open_storage, parse
from bellwork.files.s3 import S3Storage


def test_s3_urls() -> None:
    assert parse("s3://school-files") == S3Location(bucket="school-files")
    where = parse(
        "s3://school-files/bellwork/prod?endpoint=http://127.0.0.1:9000/&region=cn-north-1"
    )
    assert where == S3Location(
        bucket="school-files",
        prefix="bellwork/prod",
        endpoint="http://127.0.0.1:9000",
        region="cn-north-1",
    )
    hosted = parse("s3://b1b/?endpoint=https://oss-cn-hangzhou.aliyuncs.com&virtual_hosted=true")
    assert isinstance(hosted, S3Location) and hosted.virtual_hosted and hosted.prefix == ""


def test_file_urls() -> None:
    assert parse("file:///srv/bellwork/files") == Path("/srv/bellwork/files")


@pytest.mark.parametrize(
    "bad",
    [
        "http://example.com/bucket",
        "s3://",
        "s3://b",
        "s3://user:secret@bucket/x",
        "s3://bucket/x?endpoint_url=http://h",
        "s3://bucket/x?endpoint=ftp://h",
        "s3://bucket/x?endpoint=http://user:pw@h",
        "s3://bucket/x?virtual_hosted=maybe",
        "s3://bucket/a/../b",
        "file://relative/path",
        "/srv/files",
    ],
)
def test_mistakes_are_refused_at_start(bad: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, files_url=bad)


def test_open_storage(tmp_path: Path) -> None:
    default = open_storage(Settings(data_dir=tmp_path))
    assert isinstance(default, LocalStorage) and default.root == tmp_path / "files"
    assert open_storage(Settings(data_dir=tmp_path, files_url="  ")).kind == "local"
    other = open_storage(Settings(data_dir=tmp_path, files_url=f"file://{tmp_path}/elsewhere"))
    assert isinstance(other, LocalStorage) and other.root == tmp_path / "elsewhere"
    s3 = open_storage(
        Settings(
            data_dir=tmp_path,
            files_url="s3://bucket/p?endpoint=http://127.0.0.1:1",
            files_access_key_id="AKID",
            files_secret_access_key="very-secret",
        )
    )
    assert isinstance(s3, S3Storage)
    assert s3.location.access_key_id == "AKID" and s3.location.secret_access_key == "very-secret"
    assert "very-secret" not in s3.describe() and "very-secret" not in repr(
        Settings(data_dir=tmp_path, files_secret_access_key="very-secret")
    )
