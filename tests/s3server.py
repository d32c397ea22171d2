"""A real S3-compatible server on 127.0.0.1 for the tests: moto's, in a thread of the test
process (pure Python, from PyPI: the dev extra installs it). Requests go over HTTP with
signatures, as to any bucket; other processes (app nodes in the multinode test) reach it too.

Each test that uses it gets a prefix of its own in one bucket, so it starts empty. The bucket
keeps versions, as many production buckets do: a deleted object's bytes stay retrievable, which
is what the burn tests must live with (docs/chat.md, "Files in a bucket").
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

ACCESS_KEY = "bellwork-test"
SECRET_KEY = "bellwork-test-secret"
REGION = "us-east-1"


class S3Server:
    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self.buckets: set[str] = set()

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def bucket(self, name: str = "bellwork-test", versioned: bool = True) -> str:
        if name not in self.buckets:
            s3 = self.client()
            s3.create_bucket(Bucket=name)
            if versioned:
                s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
            self.buckets.add(name)
        return name

    def url(self, bucket: str | None = None, prefix: str | None = None) -> str:
        """A BELLWORK_FILES_URL for a fresh prefix (or the one given)."""
        bucket = bucket or self.bucket()
        prefix = prefix or f"t{uuid.uuid4().hex[:12]}"
        return f"s3://{bucket}/{prefix}?endpoint={self.endpoint}&region={REGION}"

    def env(self, url: str) -> dict[str, str]:
        """The environment of a process that should use `url`."""
        return {
            "BELLWORK_FILES_URL": url,
            "BELLWORK_FILES_ACCESS_KEY_ID": ACCESS_KEY,
            "BELLWORK_FILES_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def versions(self, url: str) -> list[bytes]:
        """The bytes of every version of every object under a files URL's prefix, deleted ones
        included (what a versioned bucket keeps after a delete)."""
        bucket, _, prefix = url.split("://", 1)[1].split("?", 1)[0].partition("/")
        s3 = self.client()
        out: list[bytes] = []
        listed = s3.list_object_versions(Bucket=bucket, Prefix=f"{prefix}/")
        for v in listed.get("Versions", []):
            got = s3.get_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])
            out.append(got["Body"].read())
        return out

    def stop(self) -> None:
        self.server.stop()
