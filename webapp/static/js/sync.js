// List-then-watch over one WebSocket (/kubeplay/v1/stream), as client-go's reflector does it.
//
// On open we send {type:"hello", resourceVersion, decisionSeq}. With no resourceVersion the
// server answers with a snapshot (all objects + the resourceVersion they were read at); with one
// it resumes by sending what we missed, or — if that is too old (Expired) — a new snapshot, and
// the model deletes whatever the snapshot no longer has. Every message that carries a
// resourceVersion (events, bookmarks) advances ours. After a disconnect (server restart, network
// blip) we reconnect with capped exponential backoff plus jitter, reset once data flows again.
// A socket that stays silent longer than the server's bookmark period is treated as dead.

const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 5000;
const SILENCE_MS = 15000;

export class Sync {
  constructor({ model, url = null, onState = () => {}, onDecisions = () => {}, onClock = () => {},
                onSnapshot = () => {} }) {
    this.onSnapshot = onSnapshot;
    this.model = model;
    this.url = url || `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/kubeplay/v1/stream`;
    this.ownUrl = !url;        // the page's own stream: early-stream.js may have opened it already
    this.snapshotItems = null; // a snapshot sent in parts: the parts so far
    this.onState = onState;
    this.onDecisions = onDecisions;
    this.onClock = onClock;
    this.resourceVersion = "";
    this.decisionSeq = 0;
    this.attempt = 0;
    this.ws = null;
    this.timer = null;
    this.watchdog = null;
    this.stopped = false;
    this.connections = 0;      // how many sockets were opened (tests and the status tooltip)
    this.state = null;
    this.lastHeard = 0;
    // Messages with objects (snapshots, events) handled so far. A decisions message covers the
    // decisions recorded before every earlier one's objects (webapp/page/stream.py): the log waits
    // for it before it places an Event, so an effect does not come before its cause.
    this.objectMessages = 0;
  }

  _setState(state) {
    if (state !== this.state) {
      this.state = state;
      this.onState(state);
    }
  }

  start() {
    this.stopped = false;
    this._connect();
    // One watchdog for the page's life: a socket silent for too long is closed (and retried).
    this.watchdog = setInterval(() => {
      if (this.ws && this.ws.readyState === 1 && performance.now() - this.lastHeard > SILENCE_MS) this.ws.close();
    }, 1000);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.watchdog);
    if (this.ws) this.ws.close();
  }

  /** The socket early-stream.js opened while the page loaded (first connection only), or null. */
  _adoptEarly() {
    const early = this.ownUrl && !this.connections && window.kubeplayEarlyStream;
    if (!early) return null;
    window.kubeplayEarlyStream = null;
    if (early.closed || early.ws.readyState > 1) return null;
    return early;
  }

  _connect() {
    this._setState(this.connections ? "reconnecting" : "connecting");
    this.snapshotItems = null;
    const early = this._adoptEarly();
    let ws;
    if (early) {
      ws = early.ws;
    } else {
      try {
        // The page's own stream is read in a worker (early-stream.js, stream-worker.js).
        ws = this.ownUrl && window.kubeplayStreamSocket ? window.kubeplayStreamSocket(this.url) : new WebSocket(this.url);
      } catch (e) {
        this._retry();
        return;
      }
    }
    this.ws = ws;
    const opened = () => {
      this.connections++;
      this._feed();
    };
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: "hello", resourceVersion: this.resourceVersion,
                               decisionSeq: this.decisionSeq }));
      opened();
    };
    ws.onmessage = (e) => {
      if (ws !== this.ws) return;
      this._feed();
      let msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      this._handle(msg);
    };
    ws.onclose = () => {
      if (ws !== this.ws) return;
      this.ws = null;
      this._retry();
    };
    ws.onerror = () => {};      // onclose follows
    if (early && early.opened) {
      // Its hello (a fresh client's: no resourceVersion, no decisions) went out already; what
      // came since is handled now, in order, before anything newer.
      opened();
      for (const e of early.messages) ws.onmessage(e);
    }
  }

  _handle(msg) {
    switch (msg.type) {
      case "snapshot":
        // A big snapshot comes in parts ("more": true on all but the last), each parsed as it
        // arrives while the server writes the next; the model takes them all at once.
        if (msg.more) {
          this.snapshotItems = (this.snapshotItems || []).concat(msg.items || []);
          this._feed();
          break;
        }
        this.model.resync(this.snapshotItems ? this.snapshotItems.concat(msg.items || []) : (msg.items || []));
        this.snapshotItems = null;
        this.objectMessages++;
        this.resourceVersion = String(msg.resourceVersion || "");
        this.attempt = 0;
        this._setState("live");
        this.onSnapshot();
        break;
      case "events":
        this.model.apply(msg.events || []);
        this.objectMessages++;
        if (msg.resourceVersion) this.resourceVersion = String(msg.resourceVersion);
        this.attempt = 0;
        this._setState("live");
        break;
      case "bookmark":
        if (msg.resourceVersion) this.resourceVersion = String(msg.resourceVersion);
        this.attempt = 0;
        this._setState("live");
        break;
      case "decisions":
        if (msg.reset) this.decisionSeq = 0;
        for (const d of msg.items || []) this.decisionSeq = Math.max(this.decisionSeq, d.seq || 0);
        if (msg.seq !== undefined) this.decisionSeq = msg.seq;
        this.onDecisions(msg.items || [], !!msg.reset, this.objectMessages);
        break;
      case "clock":
        this.onClock(msg);
        break;
      case "requests":
        if (this.onRequests) this.onRequests(msg.items || []);
        break;
      default:
        break;
    }
  }

  _feed() {
    this.lastHeard = performance.now();
  }

  _retry() {
    if (this.stopped) return;
    this._setState("reconnecting");
    const exp = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    const delay = exp / 2 + Math.random() * exp / 2;      // "equal jitter"
    this.attempt = Math.min(this.attempt + 1, 10);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this._connect(), delay);
  }
}
