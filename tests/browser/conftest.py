"""Browser tests: real Chromium (Debian's) driving the real page of a real `kubeplay serve`.

Each test gets its own server (the `kubeplay_factory` fixture of tests/conftest.py: a subprocess
`python -m webapp serve --in-memory --no-browser` on a free port, its log attached on failure)
and a fresh page that must reach the stream ("live") before the test starts. At teardown the
test fails if the page threw a JavaScript error or asked for anything not served by kubeplay
itself (the page must work offline: no CDN).

These tests never skip: without a Chromium they fail and say how to get one.
"""
from __future__ import annotations

import os
import shutil

import pytest
from playwright.sync_api import Page, expect


def _chromium() -> str | None:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


CHROMIUM = _chromium()
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM:
        pytest.fail("no Chromium found: install Debian's chromium (scripts/test.sh does) or set "
                    "CHROMIUM=/path/to/chromium", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": LAUNCH_ARGS}


@pytest.fixture(scope="session")
def base_url():
    """Each test has its own server; pages are opened with full URLs."""
    return None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1440, "height": 900}}


class Playground:
    """The page of one server, with the few steps every test needs."""

    def __init__(self, page: Page, server):
        self.page, self.server = page, server
        self.url = server.url
        self.errors: list[str] = []
        self.offsite: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(f"{e}"))
        page.on("request", self._request)
        expect.set_options(timeout=20_000)

    def _request(self, req) -> None:
        url = req.url
        if not (url.startswith(self.url + "/") or url.startswith(self.url.replace("http", "ws", 1) + "/")
                or url.startswith("data:") or url.startswith("blob:")):
            self.offsite.append(url)

    def open(self) -> "Playground":
        self.page.goto(self.url + "/")
        expect(self.page.locator("#conn")).to_have_attribute("data-state", "live")
        expect(self.page.locator("[data-node]")).to_have_count(self.server.nodes)
        return self

    # ---- the editor ---------------------------------------------------------------------------

    def type_yaml(self, text: str) -> None:
        """Replace the editor's text as a user would (select all, then type/paste the text).
        insert_text sends the characters as input without per-key auto-indentation."""
        content = self.page.locator(".cm-content")
        content.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.insert_text(text)
        expect(content).to_contain_text(text.strip().splitlines()[-1].strip())

    def apply(self, confirm: bool = True) -> None:
        """Apply as a learner does: the Apply button shows what will change (or the refusal);
        Confirm applies. With confirm=False the preview is left open."""
        self.page.get_by_role("button", name="Apply", exact=True).click()
        panel = self.page.locator("#editor-panel")
        expect(panel).not_to_have_attribute("data-apply", "busy")
        if confirm and panel.get_attribute("data-apply") == "preview":
            self.page.get_by_role("button", name="Confirm apply").click()
            expect(panel).not_to_have_attribute("data-apply", "busy")

    def message(self):
        return self.page.locator("#editor-message")

    # ---- the cluster view -------------------------------------------------------------------------

    def pods(self, workload: str | None = None, status: str | None = None, node: str | None = None):
        sel = "[data-pod]"
        if workload:
            sel += f'[data-workload="{workload}"]'
        if status:
            sel += f'[data-status="{status}"]'
        if node:
            return self.page.locator(f'[data-node="{node}"] {sel}')
        return self.page.locator(sel)

    def set_speed(self, x: int) -> None:
        btn = self.page.get_by_role("button", name=f"{x}×", exact=True)
        btn.click()
        expect(btn).to_have_attribute("aria-pressed", "true")

    def check_clean(self) -> None:
        assert not self.errors, f"JavaScript errors on the page: {self.errors}"
        assert not self.offsite, f"the page asked for something kubeplay does not serve: {self.offsite}"


@pytest.fixture
def playground_factory(page: Page, kubeplay_factory):
    """playground_factory(speed=1, nodes=3, state=None) → an open Playground on a new server."""
    made: list[Playground] = []

    def make(*, open_page: bool = True, **server_kw) -> Playground:
        server_kw.setdefault("speed", 1)
        srv = kubeplay_factory(**server_kw)
        pg = Playground(page, srv)
        made.append(pg)
        return pg.open() if open_page else pg

    yield make
    for pg in made:
        pg.check_clean()


@pytest.fixture
def playground(playground_factory) -> Playground:
    return playground_factory()


@pytest.fixture
def js_page(page, inproc_module) -> Page:
    """A page on a same-origin static file of an in-process server, for tests that import the
    page's modules and run them with fakes (no stream, no cluster view)."""
    _app, host = inproc_module
    page.goto(f"http://{host}/static/css/app.css")
    return page
