// One of a node box's meters (cpu, memory, pods): a label, a bar and its figures in words.
//
// The bar is a single element painted by its own background (static/css/app.css `.bar`): one
// linear gradient fills it up to `--fill` (what the pods request, as the scheduler counts it) and
// another draws a 2 px mark at `--used` (what the metrics API says is used; no mark without it).
// It used to be an element with a child per quantity under `overflow: hidden`; a scale-up's draw
// touches every box, and those children, their clip and their widths were layout and paint work
// in each of them. A meter is written only when one of its figures changed: most draws change a
// box's pods, not all three of its meters.

import { h } from "../dom.js";

export class Meter {
  constructor(label) {
    this.bar = h("span", { class: "bar" });
    this.text = h("span", { class: "meter-text" });
    this.el = h("div", { class: "meter" }, h("span", { class: "meter-label", text: label }), this.bar, this.text);
    // What is drawn now; null: not written yet (a property not set shows as none).
    this.shown = { text: null, fill: null, used: null };
  }

  /** Show `text`, the bar filled to `fill` of `of`, and the mark at `used` of `of` (null: none). */
  set(text, fill, of, used = null) {
    const shown = this.shown;
    if (shown.text !== text) this.text.textContent = shown.text = text;
    const f = share(fill, of);
    if (shown.fill !== f) this.bar.style.setProperty("--fill", (shown.fill = f));
    const u = used === null ? null : share(used, of);
    if (shown.used !== u) {
      shown.used = u;
      if (u === null) this.bar.style.removeProperty("--used");
      else this.bar.style.setProperty("--used", u);
    }
  }
}

/** `a` of `b` as a CSS percentage, at most 100 % (a node can be over-committed on paper), to a
 *  hundredth of a percent: finer than a pixel of any bar, and a repeat of the same share is the
 *  same string, so it is not written again. */
function share(a, b) {
  return `${b ? Math.round(Math.min(100, (100 * Math.max(0, a)) / b) * 100) / 100 : 0}%`;
}
