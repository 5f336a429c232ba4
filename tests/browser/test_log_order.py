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


STORY = """
async (gapSeconds) => {
""" + LOG_ROOT + """  const log = new ReconcileLog(root);
  const T0 = """ + str(T0) + """;
  const stamp = (t) => new Date(t * 1000).toISOString().replace('.000', '');
  const event = (uid, t, reason, kind, name, message) => ({ next: { kind: 'Event', type: 'Normal', reason,
    metadata: { uid }, involvedObject: { kind, namespace: 'default', name }, message, count: 1,
    lastTimestamp: stamp(t) } });
  log.addDecisions([{ time: T0 + 0.1, controller: 'the page', key: 'default/web', action: 'request',
                      requester: 'the page', message: 'apply Deployment default/web: created' },
                    { time: T0 + 0.15, controller: 'deployment-controller', key: 'default/web', action: 'create-replicaset',
                      message: 'Deployment default/web: new ReplicaSet web-abc (revision 1) with 1 replicas' },
                    { time: T0 + 0.2, controller: 'replicaset-controller', key: 'default/web-abc',
                      action: 'create-pods', message: 'ReplicaSet default/web-abc: desired 1, actual 0 → creating 1 pod' }]);
  log.draw(new Map([['c', event('c', T0, 'SuccessfulCreate', 'ReplicaSet', 'web-abc', 'Created pod: web-abc-1')],
                    ['p', event('p', T0, 'Pulling', 'Pod', 'web-abc-1', 'Pulling image "nginx"')]]));
  log.flush(true);
  // The pod starts `gapSeconds` later (a long pull, or a cluster that fell behind) ...
  const t1 = T0 + gapSeconds;
  log.draw(new Map([['s', event('s', t1, 'Started', 'Pod', 'web-abc-1', 'Started container web')]]));
  log.addDecisions([{ time: t1 + 0.5, controller: 'kubelet', key: 'default/web-abc-1', action: 'pod-phase',
                      message: 'Pod default/web-abc-1 on node-1: Pending → Running' }]);
  log.flush(true);
  // ... and, as long after, it is restarted: news of its own.
  log.addDecisions([{ time: t1 + gapSeconds, controller: 'kubelet', key: 'default/web-abc-1', action: 'pod-phase',
                      message: 'Pod default/web-abc-1 on node-1: Running → Failed' }]);
  log.flush(true);
  return [...root.querySelectorAll('li.group')].map((g) => [g.querySelector(':scope > .line .msg').textContent,
    ...[...g.querySelectorAll('.effects .line .msg')].map((e) => e.textContent)]);
}
"""


def test_a_pod_that_starts_late_is_still_in_the_story_that_created_it(js_page):
    """A group takes lines for GROUP_WINDOW (5 s) after its last one; a pod it created is the
    exception until its first phase change (a slow pull, or a server that stalled for seconds —
    the reconcile log of a fresh-clone CI run lost the three "Pending → Running" lines so). The
    phase change, in the same second as the container's Started, is written after it."""
    for gap in (2, 8, 40):
        story = js_page.evaluate(STORY, gap)
        assert story[0][:7] == ["apply Deployment default/web: created",
                                "Deployment default/web: new ReplicaSet web-abc (revision 1) with 1 replicas",
                            "ReplicaSet default/web-abc: desired 1, actual 0 → creating 1 pod",
                            "replicaset/web-abc: Created pod: web-abc-1", 'pod/web-abc-1: Pulling image "nginx"',
                            "pod/web-abc-1: Started container web",
                            "Pod default/web-abc-1 on node-1: Pending → Running"], (gap, story)
        if gap > 5:
            assert story[1] == ["Pod default/web-abc-1 on node-1: Running → Failed"], (gap, story)


HELD = """
async () => {
""" + LOG_ROOT + """  // As on the page: a frame the log asks for flushes it.
  const log = new ReconcileLog(root, { requestFrame: () => requestAnimationFrame(() => log.flush()) });
  const T0 = """ + str(T0) + """;
  const stamp = new Date(T0 * 1000).toISOString().replace('.000', '');
  let messages = 0;
  log.objectMessages = () => messages;
  const lines = () => [...root.querySelectorAll('.line .msg')].map((e) => e.textContent);
  log.addDecisions([], 0);
  messages = 1;                                  // the Event's message came; its decisions not yet
  log.draw(new Map([['c', { next: { kind: 'Event', type: 'Normal', reason: 'SuccessfulCreate', metadata: { uid: 'c' },
    involvedObject: { kind: 'ReplicaSet', namespace: 'default', name: 'web-abc' }, message: 'Created pod: web-abc-1',
    count: 1, lastTimestamp: stamp } }]]));
  await new Promise((r) => setTimeout(r, 1600)); // past HOLD_MS
  const held = lines();
  log.addDecisions([{ time: T0 + 0.2, controller: 'replicaset-controller', key: 'default/web-abc', action: 'create-pods',
                      message: 'ReplicaSet default/web-abc: desired 1, actual 0 → creating 1 pod' }], 1);
  log.flush();
  await new Promise((r) => setTimeout(r, 600));
  return { held, after: lines() };
}
"""


def test_an_event_waits_for_the_decisions_sent_after_it(js_page):
    """The stream follows every message of objects with a decisions message (empty if there is
    nothing new): an Event is placed once that has come, so a server that stalls between the two
    sends does not leave the Event to open a story of its own above its cause."""
    got = js_page.evaluate(HELD)
    assert got["held"] == [], got
    assert got["after"] == ["ReplicaSet default/web-abc: desired 1, actual 0 → creating 1 pod",
                            "replicaset/web-abc: Created pod: web-abc-1"], got
