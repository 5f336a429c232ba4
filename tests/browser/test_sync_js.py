"""static/js/sync.js without a server: reconnect timing and relist, run in Chromium with a fake
WebSocket and a recording setTimeout (deterministic: no waiting on real timers)."""
from __future__ import annotations

import pytest

HARNESS = """
async () => {
  const { Sync } = await import('/static/js/sync.js');
  const { Model } = await import('/static/js/model.js');
  const timers = [];
  const sockets = [];
  class FakeWS {
    constructor(url) { this.url = url; this.sent = []; sockets.push(this); }
    send(d) { this.sent.push(JSON.parse(d)); }
    close() { this.onclose && this.onclose(); }
    open() { this.onopen && this.onopen(); }
    message(m) { this.onmessage && this.onmessage({ data: JSON.stringify(m) }); }
  }
  const model = new Model();
  const states = [];
  const sync = new Sync({ model, url: 'ws://test/stream', onState: (s) => states.push(s) });
  window.WebSocket = FakeWS;
  window.setTimeout = (fn, ms) => { timers.push({ fn, ms }); return timers.length; };
  window.clearTimeout = () => {};
  window.T = { sync, model, timers, sockets, states };
}
"""

POD = lambda name, uid, rv: {"kind": "Pod", "apiVersion": "v1",
                             "metadata": {"name": name, "namespace": "default", "uid": uid,
                                          "resourceVersion": str(rv)}}


@pytest.fixture
def t(js_page):
    js_page.evaluate(HARNESS)
    return js_page


def retry_delays(page, n):
    """Fail the connection n times; return the reconnect delays asked for."""
    return page.evaluate("""n => {
      const out = [];
      for (let i = 0; i < n; i++) {
        const ws = T.sockets[T.sockets.length - 1];
        ws.close();                                        // connection refused / dropped
        const t = T.timers.pop();                          // the last timer set: the retry
        out.push(t.ms);
        t.fn();                                            // the retry fires: a new socket
      }
      return out;
    }""", n)


def test_reconnects_back_off_exponentially_with_jitter_up_to_a_cap(t):
    t.evaluate("T.sync.start()")
    delays = retry_delays(t, 10)
    for i, d in enumerate(delays):
        cap = min(5000, 250 * 2 ** i)
        assert cap / 2 <= d <= cap, (i, d, delays)
    assert max(delays) <= 5000
    assert len(set(delays)) > 1                     # jittered, not a fixed schedule


def test_data_resets_the_backoff_and_a_resume_sends_the_last_resource_version(t):
    t.evaluate("T.sync.start()")
    retry_delays(t, 6)
    t.evaluate("""() => { const ws = T.sockets[T.sockets.length - 1]; ws.open();
      ws.message({type: 'snapshot', resourceVersion: '40', items: []});
      ws.message({type: 'events', resourceVersion: '45', events: []});
      ws.message({type: 'bookmark', resourceVersion: '47'}); }""")
    assert t.evaluate("T.states[T.states.length - 1]") == "live"
    delay = retry_delays(t, 1)[0]
    assert delay <= 250
    hello = t.evaluate("() => { const ws = T.sockets[T.sockets.length - 1]; ws.open(); return ws.sent[0]; }")
    assert hello == {"type": "hello", "resourceVersion": "47", "decisionSeq": 0}


def test_a_new_snapshot_deletes_what_it_no_longer_has_and_stale_updates_are_ignored(t):
    t.evaluate("T.sync.start()")
    t.evaluate("""([a, b]) => { const ws = T.sockets[0]; ws.open();
      ws.message({type: 'snapshot', resourceVersion: '10', items: [a, b]}); }""",
               [POD("a", "ua", 5), POD("b", "ub", 6)])
    assert t.evaluate("[...T.model.kind('Pod').keys()].sort()") == ["ua", "ub"]
    # An older state of b (a replay) does not overwrite the newer one.
    t.evaluate("""old => T.sockets[0].message({type: 'events', resourceVersion: '11',
                   events: [{type: 'MODIFIED', object: old}]})""", POD("b-old", "ub", 3))
    assert t.evaluate("T.model.get('ub').metadata.name") == "b"
    # After a reconnect the server answers with a snapshot that lacks a: it is deleted.
    retry_delays(t, 1)
    t.evaluate("""c => { const ws = T.sockets[T.sockets.length - 1]; ws.open();
      ws.message({type: 'snapshot', resourceVersion: '20', items: [c]}); }""", POD("b", "ub", 6))
    assert t.evaluate("[...T.model.kind('Pod').keys()]") == ["ub"]
    dirty = t.evaluate("[...T.model.takeDirty().entries()].map(([u, d]) => [u, d.next === null])")
    assert ["ua", True] in dirty


def test_a_snapshot_in_parts_is_taken_whole_when_its_last_part_comes(t):
    t.evaluate("T.sync.start()")
    t.evaluate("""([a, b]) => { const ws = T.sockets[0]; ws.open();
      ws.message({type: 'snapshot', resourceVersion: '10', items: [a, b]}); }""",
               [POD("a", "ua", 5), POD("b", "ub", 6)])
    # A relist in two parts that lacks a: nothing changes until the last part, then a is gone.
    retry_delays(t, 1)
    t.evaluate("""c => { const ws = T.sockets[T.sockets.length - 1]; ws.open();
      ws.message({type: 'snapshot', resourceVersion: '20', items: [c], more: true}); }""", POD("c", "uc", 7))
    assert t.evaluate("[...T.model.kind('Pod').keys()].sort()") == ["ua", "ub"]
    assert t.evaluate("T.sync.resourceVersion") == "10"
    t.evaluate("""b => T.sockets[T.sockets.length - 1].message({type: 'snapshot', resourceVersion: '20',
                   items: [b]})""", POD("b", "ub", 6))
    assert t.evaluate("[...T.model.kind('Pod').keys()].sort()") == ["ub", "uc"]
    assert t.evaluate("T.sync.resourceVersion") == "20"
