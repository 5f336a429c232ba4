"""static/js/view/log.js without a server: a story that grows past MAX_LINES_PER_GROUP keeps its
newest lines and says how many earlier ones it let go (a 1,000-pod scale-up writes thousands)."""
from __future__ import annotations

# The log's markup as the page has it, and the class, in a blank document.
LOG_ROOT = """
  const { ReconcileLog } = await import('/static/js/view/log.js');
  const root = document.createElement('section');
  root.innerHTML = '<input type="checkbox" id="log-decisions" checked><input type="checkbox" id="log-events" checked>' +
    '<button id="log-clear"></button><p id="log-filter" hidden><span></span><button></button></p><ol id="log-list"></ol>';
  document.body.append(root);
"""

HARNESS = """
async () => {
""" + LOG_ROOT + """  const log = new ReconcileLog(root);
  log.addDecisions([{ time: 100, controller: 'deployment-controller', key: 'default/web', action: 'scale',
                      message: 'scaled up' }]);
  const items = [];
  for (let i = 0; i < 300; i++) {
    items.push({ time: 100 + i / 1000, controller: 'kubelet', key: 'default/web', action: 'start',
                 message: `line ${i}` });
  }
  log.addDecisions(items);
  log.flush(true);
  const group = root.querySelector('li.group');
  return { groups: root.querySelectorAll('li.group').length,
           lines: [...group.querySelectorAll('.effects .line:not(.dropped) .msg')].map((e) => e.textContent),
           dropped: group.querySelector('.effects .line.dropped').textContent };
}
"""


def test_a_long_story_keeps_its_newest_lines_and_counts_the_rest(js_page):
    r = js_page.evaluate(HARNESS)
    assert r["groups"] == 1
    assert r["lines"] == [f"line {i}" for i in range(100, 300)]
    assert r["dropped"] == "… 100 earlier lines of this story not kept"


SLICED = """
async () => {
""" + LOG_ROOT + """  // As the page drives it: no forced flush, each later slice asked for through requestFrame.
  let log;
  log = new ReconcileLog(root, { requestFrame: () => requestAnimationFrame(() => log.flush()) });
  log.addDecisions([{ time: 100, controller: 'deployment-controller', key: 'default/web', action: 'scale',
                      message: 'scaled up' },
                    { time: 100.0001, controller: 'endpointslice-controller', key: 'default/web-svc',
                      action: 'update', message: 'default/web-svc: 1 endpoint' }]);
  const items = [];
  for (let i = 0; i < 300; i++) {
    items.push({ time: 100.001 + i / 1000, controller: 'kubelet', key: 'default/web', action: 'start',
                 message: `line ${i}` });
  }
  items.push({ time: 100.5, controller: 'endpointslice-controller', key: 'default/web-svc',
               action: 'update', message: 'default/web-svc: 3 endpoints' });
  log.addDecisions(items);
  log.flush();
  const done = () => !log.pending.length && !log.placing.length && !log.unwritten.size;
  while (!done()) await new Promise((r) => setTimeout(r, 50));
  const group = root.querySelector('li.group');
  return { groups: root.querySelectorAll('li.group').length,
           lines: [...group.querySelectorAll('.effects .line:not(.dropped):not(.fold) .msg')].map((e) => e.textContent),
           folds: [...group.querySelectorAll('.effects .line.fold .msg')].map((e) => e.textContent),
           dropped: group.querySelector('.effects .line.dropped').textContent };
}
"""


def test_a_story_written_in_slices_keeps_the_same_lines_and_its_endpoint_line(js_page):
    """The lines a burst brings past the cap are counted, not written; the Service's endpoint line
    stays (it counts toward the cap) with the newest text it was given before it was written."""
    r = js_page.evaluate(SLICED)
    assert r["groups"] == 1
    assert r["folds"] == ["Service default/web-svc: endpoints updated — 3 endpoints"]
    assert r["lines"] == [f"line {i}" for i in range(101, 300)]
    assert r["dropped"] == "… 101 earlier lines of this story not kept"
