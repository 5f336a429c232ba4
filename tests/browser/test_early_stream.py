"""The stream's socket is opened while the page loads (static/js/early-stream.js, in the worker
static/js/stream-worker.js) and sync.js adopts it: one socket, not two, and the page is live on it."""
from __future__ import annotations

from playwright.sync_api import expect


def test_the_page_goes_live_on_the_one_socket_it_opened_while_loading(page, kubeplay_factory):
    server = kubeplay_factory(speed=1)
    scripts = []
    page.on("request", lambda r: scripts.append(r.url.rsplit("/", 1)[-1]) if r.url.endswith(".js") else None)
    # The socket lives in a worker (static/js/stream-worker.js), where Playwright does not see
    # it: the page's workers and its own sockets are counted instead.
    page.add_init_script("""(() => {
      window.__sockets = [];
      const W = window.Worker, S = window.WebSocket;
      window.Worker = class extends W {
        constructor(url, ...rest) { super(url, ...rest); window.__sockets.push("worker " + String(url).split("/").pop()); }
      };
      window.WebSocket = class extends S {
        constructor(url, ...rest) { super(url, ...rest); window.__sockets.push("page " + url); }
      };
    })()""")
    page.goto(server.url + "/")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(page.locator("[data-node]")).to_have_count(server.nodes)
    assert page.evaluate("window.__sockets") == ["worker stream-worker.js"]
    # early-stream.js came before the page's modules, and its socket was handed over.
    assert scripts.index("early-stream.js") < scripts.index("main.js")
    assert page.evaluate("window.kubeplayEarlyStream") is None
    assert page.evaluate("window.kubeplay.sync.connections") == 1


# Every text the stream's worker hands the page (its socket's messages and the fetched snapshot's).
HANDED = """(() => {
  window.__handed = [];
  const W = window.Worker;
  window.Worker = class extends W {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => { if (typeof e.data === "string") window.__handed.push(e.data.slice(0, 40)); });
    }
  };
})()"""


def test_a_fresh_page_fetches_its_snapshot_and_the_socket_resumes_after_it(page, kubeplay_factory):
    server = kubeplay_factory(speed=1)
    paths = []
    page.on("request", lambda r: paths.append(r.url.split("/", 3)[-1]))
    page.add_init_script(HANDED)
    page.goto(server.url + "/")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(page.locator("[data-node]")).to_have_count(server.nodes)
    assert "kubeplay/v1/snapshot" in paths
    # The socket goes on from the snapshot's resourceVersion: one snapshot, then what changed.
    page.get_by_role("button", name="Add node").click()
    expect(page.locator("[data-node]")).to_have_count(server.nodes + 1)
    handed = page.evaluate("window.__handed")
    assert sum(1 for t in handed if t.startswith('{"type":"snapshot"')) == 1
    assert any(t.startswith('{"type":"events"') for t in handed)


def test_without_the_http_snapshot_the_socket_brings_it(page, kubeplay_factory):
    server = kubeplay_factory(speed=1)
    refused = []
    page.route("**/kubeplay/v1/snapshot", lambda route: (refused.append(1), route.fulfill(status=500, body="no"))[1])
    page.add_init_script(HANDED)
    page.goto(server.url + "/")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(page.locator("[data-node]")).to_have_count(server.nodes)
    assert refused
    handed = page.evaluate("window.__handed")
    assert sum(1 for t in handed if t.startswith('{"type":"snapshot"')) == 1
    assert page.evaluate("window.kubeplay.sync.connections") == 1
