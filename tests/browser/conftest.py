"""Browser tests: the real server (demo data) in a subprocess, driven by Debian's Chromium.

The web client must be built first (`cd web && npm run build`); without it these tests are skipped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

# Generous waits: CI machines have 2 cores and may be busy with the PostgreSQL run next door.
expect.set_options(timeout=15_000)

ROOT = Path(__file__).resolve().parents[2]
STATIC_INDEX = ROOT / "src" / "bellwork" / "static" / "index.html"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A microphone (and camera) that play a test tone, allowed without asking (voice messages).
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
PASSWORD = "bellwork-demo"


@dataclass
class Server:
    url: str
    guardian_phone: str | None
    output: Path
    pid: int = 0  # the demo server's process (its Janus is a child of it)
    _sessions: dict[str, tuple[Any, str]] = field(default_factory=dict)

    def read_everything(self, login: str) -> None:
        """Marks every conversation of `login` read: a test of unread counts starts from none,
        whatever the tests before it sent this person."""
        listed = self.api("/api/v1/conversations?limit=200", login=login)
        for c in listed["items"]:
            if c["unread"]:
                self.api(
                    f"/api/v1/conversations/{c['id']}/read",
                    login=login,
                    method="POST",
                    body={"seq": c["last_seq"]},
                )

    def recall_dings(self, login: str) -> None:
        """Takes back every DING of `login` someone has not confirmed: their full-screen cards
        would stand in front of whatever the later tests click for the same people."""
        for d in self.api("/api/v1/dings?limit=100", login=login)["items"]:
            if d["recalled_at"] is None and d["confirmed"] < d["total"]:
                self.api(f"/api/v1/dings/{d['id']}/recall", login=login, method="POST")

    def api(
        self,
        path: str,
        login: str = "admin",
        method: str = "GET",
        body: Any = None,
        retry: bool = True,
    ) -> Any:
        """Calls the API as a demo user (for arranging tests; assertions go through the page)."""
        if login not in self._sessions:
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
            req = urllib.request.Request(
                self.url + "/api/v1/auth/login",
                data=json.dumps({"login": login, "password": PASSWORD}).encode(),
                headers={"Content-Type": "application/json"},
            )
            csrf = json.loads(opener.open(req, timeout=10).read())["csrf_token"]
            self._sessions[login] = (opener, csrf)
        opener, csrf = self._sessions[login]
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "X-CSRF-Token": csrf},
        )
        try:
            return json.loads(opener.open(req, timeout=10).read() or b"null")
        except urllib.error.HTTPError as exc:
            # The kept session has ended (a test logged this person out everywhere): log in
            # again, once.
            if exc.code != 401 or not retry:
                raise
            del self._sessions[login]
            return self.api(path, login, method, body, retry=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test, marked or not: CI runs them in a process of
    their own (sync Playwright leaves an event loop running, which breaks async tests after it),
    so one that forgot `pytestmark = pytest.mark.browser` must not land in the other lanes."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not STATIC_INDEX.exists():
        pytest.skip(
            "the web client is not built (src/bellwork/static/index.html is missing): "
            "run `cd web && npm ci && npm run build` first"
        )
    data_dir = tmp_path_factory.mktemp("bellwork-browser")
    env = {k: v for k, v in os.environ.items() if k != "BELLWORK_DATABASE_URL"}
    env["BELLWORK_DATA_DIR"] = str(data_dir)
    # The demo on SQLite in its data folder, or on the (empty) database this names: the
    # browser tests on PostgreSQL (docs/forms.md, "Tests").
    if os.environ.get("BELLWORK_BROWSER_DATABASE_URL"):
        env["BELLWORK_DATABASE_URL"] = os.environ["BELLWORK_BROWSER_DATABASE_URL"]
    # The demo runs its own Janus where it is installed (live lessons' tests; tests/conftest.py
    # turns it off for the API tests).
    env["BELLWORK_JANUS_RUN"] = os.environ.get("BELLWORK_BROWSER_JANUS_RUN", "auto")
    # A call nobody answers is missed after 10 s here, not 45 (tests/browser/test_calls.py).
    env["BELLWORK_CALL_RING_SECONDS"] = "10"
    port = _free_port()
    out = data_dir / "server.log"
    bellwork = Path(sys.executable).parent / "bellwork"
    cmd = [
        str(bellwork) if bellwork.exists() else "bellwork",
        "serve",
        "--demo",
        "--port",
        str(port),
    ]
    with out.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{out.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(url + "/readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready:\n{out.read_text(errors='replace')}")
            time.sleep(0.3)
        m = re.search(r"(?:Guardian|家长)\S*\s+\S*\s+(\d{6,15})", out.read_text(errors="replace"))
        yield Server(url=url, guardian_phone=m.group(1) if m else None, output=out, pid=proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            "Chromium is missing: apt-get install -y --no-install-recommends chromium "
            "fonts-wqy-microhei"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.stash[FAILED_KEY] = report.failed


FAILED_KEY = pytest.StashKey[bool]()


@pytest.fixture
def new_page(
    browser: Any, server: Server, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Any]]:
    """Makes a page in a fresh context (own cookies); desktop size unless told otherwise."""
    contexts: list[Any] = []

    def make(width: int = 1280, height: int = 800, lang: str | None = None, **kw: Any) -> Any:
        kw.setdefault("locale", "zh-CN")  # the browser's language
        ctx = browser.new_context(
            viewport={"width": width, "height": height}, base_url=server.url, **kw
        )
        if lang:
            ctx.add_cookies([{"name": "bw_lang", "value": lang, "url": server.url}])
        ctx.set_default_timeout(20_000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.errors = []  # uncaught exceptions in the page fail the test
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        return page

    yield make
    if request.node.stash.get(FAILED_KEY, False):
        # What each page showed when the test failed, for whoever reads the CI log.
        ARTIFACTS.mkdir(exist_ok=True)
        for i, ctx in enumerate(contexts):
            for j, p in enumerate(ctx.pages):
                name = f"FAILED-{request.node.name}-{i}-{j}.png"
                try:
                    p.screenshot(path=str(ARTIFACTS / name))
                    print(f"screenshot of the failed page: test-artifacts/{name} ({p.url})")
                except Exception as exc:  # best effort
                    print(f"no screenshot: {exc}")
    for ctx in contexts:
        pages = list(ctx.pages)
        ctx.close()
        for p in pages:
            assert not p.errors, f"uncaught errors in the page: {p.errors}"


def login(page: Any, who: str, password: str = PASSWORD, then: str | None = "/directory") -> None:
    """Logs in on the login page and waits for the page it leads to: `then` (as `?next=`), or
    with `then=None`, where everyone lands (the messages)."""
    page.goto(f"/login?next={then}" if then else "/login")
    page.get_by_test_id("login-form").locator("#login").fill(who)
    page.get_by_test_id("login-form").locator("#password").fill(password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(lambda url: urlsplit(url).path == (then or "/chat"))


def node(tree: Any, text: str, part: str) -> Any:
    """Part ("switcher" or "title") of the node with `text` in an antd Tree or TreeSelect."""
    row = tree.locator(".ant-tree-treenode, .ant-select-tree-treenode", has_text=text)
    return row.locator(f".ant-tree-{part}, .ant-select-tree-{part}").first


def expand(tree: Any, text: str) -> None:
    """Opens the node with `text` in an antd Tree or TreeSelect. A click that lands while the
    tree renders again (its own first load finishing, on a busy machine) can be lost: the
    switcher is clicked again until the node shows open."""
    switcher = node(tree, text, "switcher")
    opened = re.compile(r"switcher_open")
    for _ in range(4):
        if opened.search(switcher.get_attribute("class") or ""):
            return
        switcher.click()
        try:
            expect(switcher).to_have_class(opened, timeout=4000)
            return
        except AssertionError:
            continue
    expect(switcher).to_have_class(opened)


def pick(page: Any, field: Any, text: str) -> None:
    """Types `text` into a searching antd Select (`field` holds its input) and clicks the option
    it finds. Waits for the search's own answer first: the options shown before it (the list
    for an empty search) are replaced as it arrives, and a click just then can be lost."""
    field.locator("input").fill(text)
    options = page.locator(".ant-select-dropdown:visible .ant-select-item-option")
    expect(options.first).to_contain_text(text)
    page.wait_for_timeout(300)  # the picker's 250 ms debounce: no newer search on its way
    expect(options.first).to_contain_text(text)
    options.filter(has_text=text).first.click()


def until(act: Callable[[], None], done: Callable[[float], None], tries: int = 4) -> None:
    """Does `act` until `done` holds. `done(timeout)` is an `expect(...)` with that timeout.
    On a busy machine, a click can land while an antd menu or select is still animating, and
    then it is lost. A person would click again, and so does this. `done` must hold once `act`
    has taken, so `act` is never repeated after it worked."""
    for _ in range(tries - 1):
        act()
        try:
            done(4000)
            return
        except AssertionError:
            continue
    act()
    done(15_000)


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.wait_for_timeout(500)  # let drawers and modals finish their opening animation
    page.screenshot(path=str(path))
    return path


def has_cjk_font() -> bool:
    return shutil.which("fc-list") is None or bool(
        subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip()
    )
