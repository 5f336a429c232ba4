"""The page's Examples menu shows the files of examples/ (served by GET /kubeplay/v1/examples):
the editor opens with the README's seed, and each menu entry loads its file's text."""
from __future__ import annotations

import os

from playwright.sync_api import expect

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _menu() -> list[tuple[str, str]]:
    with open(os.path.join(REPO, "examples", "menu.txt"), encoding="utf-8") as f:
        rows = [line.split(None, 1) for line in f if line.strip() and not line.startswith("#")]
    return [(name, title.strip()) for name, title in rows]


def _editor_text(p) -> str:
    return p.page.evaluate("() => [...document.querySelectorAll('.cm-content .cm-line')].map(l => l.textContent).join('\\n')")


def test_the_menu_and_the_editor_show_the_files_of_examples(playground):
    p = playground
    menu = _menu()
    options = p.page.locator("#examples option:not([value=''])")
    expect(options).to_have_count(len(menu))
    assert options.all_text_contents() == [title for _, title in menu]
    with open(os.path.join(REPO, "examples", "login.yaml"), encoding="utf-8") as f:
        login = f.read()
    expect(p.page.locator(".cm-content")).to_contain_text("name: login-app")
    assert _editor_text(p) == login
    p.page.get_by_label("Examples").select_option("daemonset")
    expect(p.page.locator(".cm-content")).to_contain_text("kind: DaemonSet")
    with open(os.path.join(REPO, "examples", "daemonset.yaml"), encoding="utf-8") as f:
        assert _editor_text(p) == f.read()
    p.apply()
    expect(p.message()).to_have_text("daemonset.apps/node-agent created")
    expect(p.pods("DaemonSet/node-agent", "Running")).to_have_count(p.server.nodes)
