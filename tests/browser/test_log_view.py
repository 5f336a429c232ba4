"""static/js/view/log.js without a server: in a burst the log makes elements only for the groups and
lines in or near the view, the rest wait as data behind spacers; once the burst is over every line
is written, in order, and a learner scrolled up keeps their place while that happens.

The log's clock is a fake (`performance.now`), so "the burst is over" is the test's decision, not
a matter of how fast the machine is."""
from __future__ import annotations

from tests.browser.test_log_cap import LOG_ROOT

GROUPS = 120

HARNESS = """
async (scrollUp) => {
  let now = 10000;
  performance.now = () => now;
""" + LOG_ROOT + """
  // The page's list: a box that scrolls (the log works out what is in view only in one).
  const style = document.createElement('style');
  style.textContent = '#log-list { height: 200px; width: 300px; overflow: auto; overflow-anchor: none; ' +
    'list-style: none; margin: 0; padding: 0; font: 12px sans-serif } #log-list .line { padding: 2px } ' +
    '#log-list .who, #log-list .msg { display: block }';
  document.head.append(style);
  root.style.cssText = 'position: fixed; top: 0; left: 0; background: #fff';   // in the viewport
  const list = root.querySelector('#log-list');
  const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  let log;
  log = new ReconcileLog(root, { requestFrame: () => requestAnimationFrame(() => log.flush()) });
  await frames();
  // A burst: GROUPS stories of a head and two lines each, some long enough to wrap.
  const items = [];
  for (let i = 0; i < GROUPS; i++) {
    const key = `default/p${i}`;
    items.push({ time: 100 + i * 10, controller: 'replicaset-controller', key, action: 'create',
                 message: `story ${i}` });
    for (let j = 0; j < 2; j++) {
      items.push({ time: 100 + i * 10 + (j + 1) / 10, controller: 'kubelet', key, action: 'start',
                   message: `story ${i} line ${j}` + (i % 3 ? '' : ' that is long enough to wrap in a narrow list'.repeat(2)) });
    }
  }
  log.addDecisions(items);
  now += 2000;
  log.flush();
  await frames();
  await frames();
  const during = { groups: list.querySelectorAll('li.group').length, gaps: list.querySelectorAll('.gap').length,
                   bottom: list.scrollHeight - list.scrollTop - list.clientHeight };
  // What is at the top of the view: a line's text and where it is.
  const shown = () => {
    const r = list.getBoundingClientRect();
    const el = document.elementFromPoint(r.left + r.width / 2, r.top + 4)?.closest('.line, .gap');
    return el && !el.classList.contains('gap')
      ? { text: el.querySelector('.msg').textContent, at: Math.round(el.getBoundingClientRect().top - r.top) } : null;
  };
  let before = null;
  if (scrollUp) {
    list.scrollTop = Math.round(list.scrollHeight / 2);
    await frames();
    await frames();
    before = shown();
  }
  now += 5000;                         // the burst is over: the rest is written in idle time
  while (log.unwritten.size) await new Promise((r) => setTimeout(r, 20));
  await frames();
  return { during, before, after: shown(), follow: log.follow,
           heads: [...list.querySelectorAll(':scope > li.group > .line .msg')].map((e) => e.textContent),
           lines: [...list.querySelectorAll('.effects .line .msg')].map((e) => e.textContent),
           gaps: list.querySelectorAll('.gap').length,
           bottom: list.scrollHeight - list.scrollTop - list.clientHeight };
}
""".replace("GROUPS", str(GROUPS))


def test_a_burst_writes_what_is_in_view_and_the_rest_once_it_is_over(js_page):
    r = js_page.evaluate(HARNESS, False)
    # During the burst: the newest stories as elements at the bottom (followed), the rest spacers.
    assert 0 < r["during"]["groups"] < GROUPS / 2, r["during"]
    assert r["during"]["gaps"] >= 1
    assert r["during"]["bottom"] < 8
    # After it: every story and line, in order, nothing held back, still at the bottom.
    assert r["heads"] == [f"story {i}" for i in range(GROUPS)]
    assert [x.split(" that ")[0] for x in r["lines"]] == [f"story {i} line {j}" for i in range(GROUPS) for j in range(2)]
    assert r["gaps"] == 0
    assert r["follow"] and r["bottom"] < 8


def test_a_learner_scrolled_up_into_held_lines_sees_them_and_keeps_their_place(js_page):
    r = js_page.evaluate(HARNESS, True)
    # Scrolling to lines held as data writes them: what is shown is a line, not a blank spacer ...
    assert r["before"] is not None
    # ... and writing the rest (above and below it, heights unlike the estimate) does not move it.
    assert r["after"] == r["before"]
    assert not r["follow"]
    assert r["gaps"] == 0
    assert r["heads"] == [f"story {i}" for i in range(GROUPS)]
