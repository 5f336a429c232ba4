"""static/js/pacing.js without a server: when the page draws, run in Chromium with a fake clock,
a recording requestAnimationFrame and a recording setTimeout (deterministic: no real timers)."""
from __future__ import annotations

import pytest

HARNESS = """
async () => {
  const { DrawPacer } = await import('/static/js/pacing.js');
  const frames = [], timers = [], draws = [];
  let now = 1000, size = 0;
  window.setTimeout = (fn, ms) => { timers.push({ fn, ms }); return timers.length; };
  const pacer = new DrawPacer(() => { draws.push(now); return size; },
                              { now: () => now, raf: (fn) => { frames.push(fn); return frames.length; } });
  window.T = {
    pacer, frames, timers, draws,
    setSize: (n) => { size = n; },
    advance: (ms) => { now += ms; },
    // The browser's next frame: run every callback asked for so far.
    frame: () => { const fns = frames.splice(0); for (const fn of fns) fn(); return fns.length; },
    fire: () => { const t = timers.shift(); t.fn(); return t.ms; },
  };
}
"""


@pytest.fixture
def t(js_page):
    js_page.evaluate(HARNESS)
    return js_page


def test_a_few_changes_are_drawn_in_the_next_frame_every_time(t):
    out = t.evaluate("""() => {
      T.setSize(3);
      const seen = [];
      for (let i = 0; i < 3; i++) {
        T.pacer.schedule();
        T.pacer.schedule();                       // asked twice: one frame
        seen.push([T.frames.length, T.timers.length]);
        T.frame();
        T.advance(16);
      }
      return { seen, draws: T.draws.length };
    }""")
    assert out == {"seen": [[1, 0], [1, 0], [1, 0]], "draws": 3}


def test_in_a_burst_the_next_draw_waits_until_the_pace_allows(t):
    out = t.evaluate("""() => {
      T.setSize(500);                             // a scale-up's batch
      T.pacer.schedule();
      T.frame();                                  // drawn at once: nothing came before it
      T.advance(50);                              // the next message, 50 ms later
      T.pacer.schedule();
      T.pacer.schedule();
      const waiting = { frames: T.frames.length, timers: T.timers.map((x) => x.ms) };
      const wait = T.fire();
      T.advance(wait);
      const after = T.frames.length;
      T.frame();
      return { waiting, after, draws: T.draws };
    }""")
    assert out["waiting"] == {"frames": 0, "timers": [200]}
    assert out["after"] == 1
    assert out["draws"] == [1000, 1250]


def test_a_quiet_moment_after_a_burst_is_drawn_in_the_next_frame(t):
    out = t.evaluate("""() => {
      T.setSize(500);
      T.pacer.schedule();
      T.frame();
      T.advance(300);                             // longer than the pace: no wait
      T.setSize(2);
      T.pacer.schedule();
      const burstOver = [T.frames.length, T.timers.length];
      T.frame();
      T.advance(5);
      T.pacer.schedule();                         // the last draw was small: next frame again
      return { burstOver, next: [T.frames.length, T.timers.length] };
    }""")
    assert out == {"burstOver": [1, 0], "next": [1, 0]}
