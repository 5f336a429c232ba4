"""static/js/view/log.js without a server: decisions and Events come on separate channels, and a
controller may record its decision after the Events of what it did (the ReplicaSet controller
says "creating 3 pods" once it made them). When the decision misses the flush its Events were in,
the story still reads cause first: it goes above the Events of its second."""
from __future__ import annotations

from tests.browser.test_log_cap import LOG_ROOT

T0 = 1_700_000_000          # sim seconds since the epoch; Events carry whole seconds of it

HARNESS = """
async (late) => {
""" + LOG_ROOT + """  const log = new ReconcileLog(root);
  const T0 = """ + str(T0) + """;
  const stamp = new Date(T0 * 1000).toISOString().replace('.000', '');
  const created = (i) => ({ next: { kind: 'Event', type: 'Normal', reason: 'SuccessfulCreate',
    metadata: { uid: `u${i}` }, involvedObject: { kind: 'ReplicaSet', namespace: 'default', name: 'web-abc' },
    message: `Created pod: web-abc-${i}`, count: 1, lastTimestamp: stamp } });
  const decide = { time: T0 + 0.3, controller: 'replicaset-controller', key: 'default/web-abc',
                   action: 'create-pods', message: 'ReplicaSet default/web-abc: desired 2, actual 0 → creating 2 pods' };
  log.addDecisions([{ time: T0 + 0.2, controller: 'deployment-controller', key: 'default/web', action: 'create-replicaset',
                      message: 'Deployment default/web: new ReplicaSet web-abc', refs: ['default/web-abc'] }]);
  if (!late) log.addDecisions([decide]);
  log.draw(new Map([['a', created(1)], ['b', created(2)]]));
  log.flush(true);
  if (late) {                                   // the decision comes in the next flush
    log.addDecisions([decide]);
    log.flush(true);
  }
  return [...root.querySelectorAll('li.group')].map((g) => ({
    head: g.querySelector(':scope > .line .msg').textContent,
    lines: [...g.querySelectorAll('.effects .line .msg')].map((e) => e.textContent) }));
}
"""


def test_a_decision_that_comes_after_its_events_is_written_above_them(js_page):
    want = [{"head": "Deployment default/web: new ReplicaSet web-abc",
             "lines": ["ReplicaSet default/web-abc: desired 2, actual 0 → creating 2 pods",
                       "replicaset/web-abc: Created pod: web-abc-1", "replicaset/web-abc: Created pod: web-abc-2"]}]
    assert js_page.evaluate(HARNESS, False) == want      # one flush: its sort orders them
    assert js_page.evaluate(HARNESS, True) == want       # two flushes: the late decision goes above
