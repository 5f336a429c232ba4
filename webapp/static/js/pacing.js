// When the page draws: once per animation frame for a few changes, at most every BURST_EVERY_MS
// while the cluster changes in bulk.
//
// A scale-up brings a few hundred objects every message (the stream sends a batch every ~50 ms),
// and pods land on every node: each draw rewrites every node box it touches (its meters, its
// canvas of tiles), lays out and paints them, and Chromium commits the lot — a cost per draw
// that hardly depends on how many pods changed. Drawing every frame a message came in did that
// ~20 times a second; in a burst, drawing at most every BURST_EVERY_MS does it a few times a
// second, each draw carrying the pods of several messages (a pod shows its latest state, as it
// would a frame later). Messages are still parsed and applied to the model as they come (the
// page's data is current; only drawing waits). A draw of fewer than BURST objects — a click,
// a pod killed, a small Deployment rolling — is drawn in the next frame, as before, and so is
// the first draw after a quiet moment.

const BURST = 40;              // objects in one draw that make the next one wait
const BURST_EVERY_MS = 250;   // between draws in a burst; the reconcile log writes at this pace too

export class DrawPacer {
  /** draw(): draws everything that changed and returns how many objects it drew. */
  constructor(draw, { now = () => performance.now(), raf = (fn) => requestAnimationFrame(fn) } = {}) {
    this.drawFn = draw;
    this.now = now;
    this.raf = raf;
    this.frame = 0;
    this.timer = 0;
    this.lastDraw = -Infinity;    // when the last draw ran ...
    this.lastSize = 0;            // ... and how many objects it drew
  }

  /** Ask for a draw: the next frame, or (in a burst) the first frame BURST_EVERY_MS after the last. */
  schedule() {
    if (this.frame || this.timer) return;
    const wait = this.lastSize >= BURST ? BURST_EVERY_MS - (this.now() - this.lastDraw) : 0;
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = 0;
        this._request();
      }, wait);
    } else {
      this._request();
    }
  }

  _request() {
    if (!this.frame) this.frame = this.raf(() => this._run());
  }

  _run() {
    this.frame = 0;
    this.lastDraw = this.now();
    this.lastSize = this.drawFn() || 0;
  }
}
