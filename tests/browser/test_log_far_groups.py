"""static/js/view/log.js without a server: older groups of the reconcile log are skipped by the
browser while off screen (content-visibility, class `far`), and that changes nothing a learner sees:
each keeps the size it was drawn at, the newest are always drawn, a group that gets a new line is
drawn in full again, and the list stays scrolled to its bottom."""
from __future__ import annotations

HARNESS = """
async () => {
  const { ReconcileLog } = await import('/static/js/view/log.js');
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = '/static/css/app.css';
  const loaded = new Promise((r) => { link.onload = r; });
  document.head.append(link);
  await loaded;
  const root = document.createElement('section');
  root.className = 'log';
  // In view and of a fixed size (the page under it is the stylesheet's text).
  root.style.cssText = 'position: fixed; top: 0; left: 0; height: 400px; width: 360px; background: #fff; z-index: 1';
  root.innerHTML = '<input type="checkbox" id="log-decisions" checked><input type="checkbox" id="log-events" checked>' +
    '<button id="log-clear"></button><p id="log-filter" hidden><span></span><button></button></p><ol id="log-list" class="log-list"></ol>';
  document.body.append(root);
  const list = root.querySelector('#log-list');
  const log = new ReconcileLog(root);
  const decision = (i, t, controller = 'replicaset-controller') => ({ time: t, controller, key: `default/p${i}`,
    action: 'sync', message: `decision about p${i}` + (i % 3 ? '' : ' with a longer message that wraps onto a second line') });
  const items = [];
  for (let i = 0; i < 100; i++) items.push(decision(i, 100 + i / 100));
  log.addDecisions(items);
  log.flush(true);
  await frame();
  const groups = () => [...list.querySelectorAll(':scope > li.group')];
  const drawn = groups().map((g) => ({ height: g.getBoundingClientRect().height, text: g.textContent }));
  // A later flush (one more group): the groups that did not change since they were drawn, except
  // the newest, are marked far.
  log.addDecisions([decision(100, 101)]);
  log.flush(true);
  await frame();
  await frame();
  const atBottom = Math.abs(list.scrollTop + list.clientHeight - list.scrollHeight) < 2;
  const far = groups().map((g) => g.classList.contains('far'));
  // Scrolled to the top: the far groups there are drawn at the size they had.
  list.scrollTop = 0;
  await frame();
  await frame();
  const again = groups().slice(0, 100).map((g) => ({ height: g.getBoundingClientRect().height, text: g.textContent,
                                                      inner: g.innerText }));
  // A new line in an old (far) group: it is drawn in full again, with the line.
  log.addDecisions([{ time: 101.5, controller: 'kubelet', key: 'default/p5', action: 'start', message: 'late line' }]);
  log.flush(true);
  const p5 = groups()[5];
  return { drawn, far, again, atBottom, count: groups().length,
           p5far: p5.classList.contains('far'), p5text: p5.textContent };
}
"""


def test_old_log_groups_are_skipped_off_screen_without_changing_what_is_shown(page, inproc_module):
    app, host = inproc_module
    page.set_viewport_size({"width": 1024, "height": 700})
    page.goto(f"http://{host}/static/css/app.css")
    r = page.evaluate(HARNESS)
    assert r["count"] == 101
    # The newest 40 are always drawn; the 61 before them did not change and are marked far.
    assert r["far"] == [True] * 61 + [False] * 40
    assert r["atBottom"], "the list follows its newest line"
    for i, (before, after) in enumerate(zip(r["drawn"], r["again"])):
        assert after["text"] == before["text"], i
        assert abs(after["height"] - before["height"]) < 0.5, (i, before, after)
    for i, after in enumerate(r["again"][:5]):         # in view at the top: drawn, text and all
        assert f"decision about p{i}" in after["inner"], (i, after)
    assert not r["p5far"]
    assert "late line" in r["p5text"]
