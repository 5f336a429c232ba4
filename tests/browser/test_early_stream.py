"""The stream's socket is opened while the page loads (static/js/early-stream.js) and sync.js
adopts it: one socket, not two, and the page is live on it."""
from __future__ import annotations

from playwright.sync_api import expect


def test_the_page_goes_live_on_the_one_socket_it_opened_while_loading(page, kubeplay_factory):
    server = kubeplay_factory(speed=1)
    sockets, scripts = [], []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.on("request", lambda r: scripts.append(r.url.rsplit("/", 1)[-1]) if r.url.endswith(".js") else None)
    page.goto(server.url + "/")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(page.locator("[data-node]")).to_have_count(server.nodes)
    assert sockets == [server.url.replace("http", "ws", 1) + "/kubeplay/v1/stream"]
    # early-stream.js came before the page's modules, and its socket was handed over.
    assert scripts.index("early-stream.js") < scripts.index("main.js")
    assert page.evaluate("window.kubeplayEarlyStream") is None
    assert page.evaluate("window.kubeplay.sync.connections") == 1
