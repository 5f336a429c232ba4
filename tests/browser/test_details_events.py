"""static/js/view/details.js without a server: the details panel's Events table reads the
kube-scheduler's events.k8s.io-shaped Events as kubectl describe does — ordered by a series'
lastObservedTime, else lastTimestamp, else eventTime (compared as times: a MicroTime beside a
whole-second stamp), From the reportingComponent when source is empty, "(x2)" from a series."""
from __future__ import annotations

HARNESS = """
async () => {
  const { DetailsPanel } = await import('/static/js/view/details.js');
  const root = document.createElement('section');
  root.innerHTML = '<h2 id="details-title"></h2><button id="details-close"></button><div id="details-body"></div>';
  document.body.append(root);
  const evs = [
    { type: 'Normal', reason: 'Pulled', message: 'pulled', source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2026-01-01T00:00:10Z', lastTimestamp: '2026-01-01T00:00:10Z', count: 1 },
    { type: 'Warning', reason: 'FailedScheduling', message: '0/3 nodes are available', source: {},
      firstTimestamp: null, lastTimestamp: null, eventTime: '2026-01-01T00:00:05.250000Z',
      series: { count: 2, lastObservedTime: '2026-01-01T00:00:20.000000Z' }, reportingComponent: 'default-scheduler' },
    { type: 'Normal', reason: 'Scheduled', message: 'assigned', source: {}, firstTimestamp: null, lastTimestamp: null,
      eventTime: '2026-01-01T00:00:09.500000Z', reportingComponent: 'default-scheduler' },
  ];
  const panel = new DetailsPanel(root, { eventsOf: () => evs }, {});
  const table = panel._events({ kind: 'Pod', metadata: { name: 'big', uid: 'u' } });
  return [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent));
}
"""


def test_scheduler_events_are_ordered_and_counted_from_event_time_and_series(js_page):
    assert js_page.evaluate(HARNESS) == [
        ["Normal", "Scheduled", "default-scheduler", "assigned"],
        ["Normal", "Pulled", "kubelet", "pulled"],
        ["Warning", "FailedScheduling", "default-scheduler", "0/3 nodes are available (x2)"],
    ]
