// The stream's WebSocket, held by a dedicated worker (early-stream.js starts it; sync.js reads it
// through the same handlers as a WebSocket).
//
// A WebSocket's incoming bytes are read and decoded into text on the thread that owns the socket,
// in chunks, each a task of its own. On the page's main thread those tasks queue behind whatever
// the page is doing: while a fresh page evaluated its modules and parsed the first parts, a
// 10,000-pod snapshot (~30 MB) took 2.3–2.7 s to arrive against ~1.0 s with an idle main thread
// (bench/README.md, sixth page pass). Here the socket is read on this thread; each message's
// text goes to the page as it is (a string's copy, ~1 ms for a 3 MB part), which parses it.
//
// A fresh page's first snapshot is fetched over HTTP (`snapshotUrl`: the same messages, one a
// line): Chromium reads an HTTP body ~3x faster than a WebSocket's messages. The page's hello —
// a fresh client's, with no resourceVersion — then goes out with the snapshot's, and the socket
// replays what came after it. If the fetch fails before its first part, the socket is opened as
// usual (the server sends the snapshot on it); if it fails later, the stream closes (the page
// reconnects, resuming or relisting as after any drop).
//
// One message at a time: the next goes to the page when it says it handled the last ({op:
// "ack"}), as a socket's messages came when the page read them. Posted all at once, a backlog
// queued on the page's main thread ahead of its other tasks (seen as frames of 1-2 s while a
// loaded machine's page caught up).
//
// From the page: {op: "open", url, snapshotUrl?}, {op: "send", data}, {op: "close"}, {op: "ack"}.
// To the page: a message's text (a string), or {ev: "open"} / {ev: "close"}.
"use strict";

let ws = null;
let closing = false;
let snapshotRv = null;      // the fetched snapshot's resourceVersion, for the page's first hello
let lastPart = null;        // its last part, handed over once the socket has answered (see below)
const held = [];            // what the page sent before the socket was open (its hello)
const queue = [];           // what the page is to get, after the message it has not acked yet
let unacked = false;
// A page that stops taking messages (a hung main thread) is not buffered for without bound, as
// the server does not buffer for a socket nobody reads: the socket is closed and the page, once
// it takes messages again, reconnects and resumes from what it has.
const MAX_QUEUE = 2000;

function deliver(msg) {
  if (unacked) {
    queue.push(msg);
  } else {
    unacked = true;
    self.postMessage(msg);
  }
}

self.onmessage = (e) => {
  const m = e.data;
  if (m.op === "open") {
    if (m.snapshotUrl) fetchSnapshot(m.url, m.snapshotUrl);
    else connect(m.url);
  } else if (m.op === "send") {
    // (A hello that comes after the socket opened — a main thread busy past the fetch — still
    // resumes after the fetched snapshot: sent without its resourceVersion it would bring another.)
    if (ws && ws.readyState === 1) ws.send(withSnapshotRv(m.data));
    else held.push(m.data);
  } else if (m.op === "ack") {
    unacked = false;
    if (queue.length) deliver(queue.shift());
  } else if (m.op === "close") {
    closing = true;
    if (ws) ws.close();
    else deliver({ ev: "close" });
  }
};

function connect(url, announced = false) {
  if (closing) return;
  try {
    ws = new WebSocket(url);
  } catch (err) {
    deliver({ ev: "close" });
    return;
  }
  ws.onopen = () => {
    if (!announced) deliver({ ev: "open" });
    for (const data of held.splice(0)) ws.send(withSnapshotRv(data));
  };
  ws.onmessage = (ev) => {
    handOver();
    if (queue.length >= MAX_QUEUE) {
      queue.length = 0;
      ws.onmessage = null;
      ws.close();               // onclose: the page is told
      return;
    }
    deliver(ev.data);
  };
  ws.onclose = () => {
    handOver();
    deliver({ ev: "close" });
  };
  ws.onerror = () => {};      // onclose follows
}

/** The fetched snapshot's last part goes to the page with the socket's first answer to the hello
 *  (the server sends the reconcile log's first decisions, what changed since, and the clock at
 *  once): the page goes live, and draws, with its watch running, as when the socket brought the
 *  snapshot. */
function handOver() {
  if (lastPart === null) return;
  deliver(lastPart);
  lastPart = null;
}

/** The page's first hello, if it asks for a snapshot (no resourceVersion), asks to resume from
 *  the one fetched. */
function withSnapshotRv(data) {
  if (snapshotRv === null) return data;
  try {
    const msg = JSON.parse(data);
    if (msg && msg.type === "hello" && !msg.resourceVersion) {
      msg.resourceVersion = snapshotRv;
      snapshotRv = null;
      return JSON.stringify(msg);
    }
  } catch (err) {
    // not JSON: sent as it is
  }
  return data;
}

const SNAPSHOT_HEAD = /^\{"type":"snapshot","resourceVersion":"(\d+)"/;

async function fetchSnapshot(url, snapshotUrl) {
  // The stream is open for the page from now on: its hello is held until the socket is.
  deliver({ ev: "open" });
  let parts = 0, rv = null, complete = false;
  try {
    const r = await fetch(snapshotUrl, { cache: "no-store" });
    if (!r.ok || !r.body) throw new Error(`snapshot: HTTP ${r.status}`);
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let pieces = [];
    const line = (text) => {
      const head = SNAPSHOT_HEAD.exec(text);
      if (!head || (rv !== null && head[1] !== rv)) throw new Error("snapshot: not a snapshot part");
      rv = head[1];
      parts++;
      complete = !text.endsWith(',"more":true}');
      if (complete) lastPart = text;
      else deliver(text);
    };
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (closing) return;
      let from = 0, nl;
      while ((nl = value.indexOf("\n", from)) >= 0) {
        pieces.push(value.slice(from, nl));
        line(pieces.join(""));
        pieces = [];
        from = nl + 1;
      }
      if (from < value.length) pieces.push(value.slice(from));
    }
  } catch (err) {
    // below: resume, fall back, or close
  }
  if (closing) return;
  if (complete) {
    snapshotRv = rv;
    connect(url, true);
  } else if (!parts) {
    connect(url, true);             // no snapshot fetched: the socket brings it
  } else {
    deliver({ ev: "close" });   // a snapshot cut short: the page reconnects
  }
}
