"""static/js/view/log.js without a server: the kube-scheduler's Events come from the events.k8s.io
recorder — eventTime, no lastTimestamp or count — and a repeat is a `series`. The log writes such
an Event at its eventTime, and again, "(x2)" at the series' lastObservedTime, when it becomes a
series (kubectl's printEvent reads the same fields)."""
from __future__ import annotations

from tests.browser.test_log_cap import LOG_ROOT

T0 = 1_700_000_000

HARNESS = """
async () => {
""" + LOG_ROOT + """  const log = new ReconcileLog(root);
  const T0 = """ + str(T0) + """;
  const micro = (t) => new Date(t * 1000).toISOString().replace('Z', '000Z');
  const ev = (extra) => ({ next: Object.assign({ kind: 'Event', type: 'Warning', reason: 'FailedScheduling',
    metadata: { uid: 'u1' }, involvedObject: { kind: 'Pod', namespace: 'default', name: 'big' },
    message: '0/3 nodes are available: 3 Insufficient cpu.', source: {}, firstTimestamp: null,
    lastTimestamp: null, eventTime: micro(T0 + 1.25), reportingComponent: 'default-scheduler' }, extra) });
  const lines = () => [...root.querySelectorAll('.line')].filter((l) => l.querySelector('.msg').textContent.startsWith('pod/'))
    .map((l) => [l.querySelector('time').textContent, l.querySelector('.msg').textContent]);
  log.draw(new Map([['a', ev({})]]));
  log.flush(true);
  const first = lines();
  log.draw(new Map([['a', ev({ series: { count: 2, lastObservedTime: micro(T0 + 65.5) } })]]));
  log.flush(true);
  return { first, second: lines() };
}
"""


def test_a_scheduler_event_is_logged_at_its_event_time_and_again_as_a_series(js_page):
    r = js_page.evaluate(HARNESS)
    msg = "pod/big: 0/3 nodes are available: 3 Insufficient cpu."
    assert [m for _, m in r["first"]] == [msg]
    assert [m for _, m in r["second"]] == [msg, msg + " (x2)"]
    times = [t for t, _ in r["second"]]
    assert times[0] != times[1] and times[0]          # eventTime, then series.lastObservedTime
