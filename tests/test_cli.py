"""The `bellwork` command as an operator uses it, each run in its own process and data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = [sys.executable, "-m", "bellwork"]


def run(args: list[str], data: Path, input_: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELLWORK_")}
    env["BELLWORK_DATA_DIR"] = str(data)
    env["LANG"] = "en_US.UTF-8"
    env["BELLWORK_ARGON2_TIME_COST"] = "1"
    env["BELLWORK_ARGON2_MEMORY_KIB"] = "1024"
    return subprocess.run(
        BIN + args, env=env, capture_output=True, text=True, input=input_, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


def test_serve_help_explains_settings(data: Path) -> None:
    r = run(["serve", "--help"], data)
    assert r.returncode == 0
    for word in ("BELLWORK_DATA_DIR", "BELLWORK_DATABASE_URL", "--demo", "--port"):
        assert word in r.stdout


def test_admin_create_and_import(data: Path, tmp_path: Path) -> None:
    r = run(
        ["admin", "create", "--name", "张老师", "--username", "boss", "--password", "short"], data
    )
    assert r.returncode != 0 and "at least 8" in r.stderr
    r = run(
        [
            "admin",
            "create",
            "--name",
            "张老师",
            "--username",
            "boss",
            "--password",
            "long-enough-1",
        ],
        data,
    )
    assert r.returncode == 0, r.stderr
    assert "Administrator 张老师 created" in r.stdout
    r = run(
        ["admin", "create", "--name", "again", "--username", "boss", "--password", "long-enough-1"],
        data,
    )
    assert r.returncode != 0 and "Username" in r.stderr
    # No unit exists yet: a clear error.
    roster = tmp_path / "roster.csv"
    roster.write_text("班级,学生姓名,学号\n一年级/1班,韩梅梅,2026200\n", encoding="utf-8")
    r = run(["import", str(roster), "--kind", "roster", "--unit", "1"], data)
    assert r.returncode == 1 and "not found" in r.stderr.lower()


def test_demo_prints_logins_and_is_idempotent(tmp_path: Path) -> None:
    r = run(["demo"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "admin" in r.stdout and "bellwork-demo" in r.stdout and "teacher" in r.stdout
    r2 = run(["demo"], tmp_path)
    assert r2.returncode == 0 and r2.stdout == r.stdout
    roster = tmp_path / "more.csv"
    roster.write_text("班级,学生姓名,学号\n一年级/1班,韩梅梅,2026200\n", encoding="utf-8")
    r = run(["import", str(roster), "--kind", "roster", "--unit", "3"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Dry run" in r.stdout and "people_created=1" in r.stdout
    r = run(["import", str(roster), "--kind", "roster", "--unit", "3", "--apply"], tmp_path)
    assert "Imported." in r.stdout and "people_created=1" in r.stdout
    r = run(["import", str(roster), "--kind", "roster", "--unit", "3", "--apply"], tmp_path)
    assert "people_created=0" in r.stdout and "people_unchanged=1" in r.stdout
