// The stream's WebSocket, held by a dedicated worker (early-stream.js starts it; sync.js reads it
// through the same handlers as a WebSocket).
//
// A WebSocket's incoming bytes are read and decoded into text on the thread that owns the socket,
// in chunks, each a task of its own. On the page's main thread those tasks queue behind whatever
// the page is doing: while a fresh page evaluated its modules and parsed the first parts, a
// 10,000-pod snapshot (~30 MB) took 2.3–2.7 s to arrive against ~1.0 s with an idle main thread
// (bench/README.md, sixth pass). Here the socket is read on this thread; each message's text goes
// to the page as it is (a string's copy, ~1 ms for a 3 MB part), which parses it.
//
// From the page: {op: "open", url}, {op: "send", data}, {op: "close"}.
// To the page: a message's text (a string), or {ev: "open"} / {ev: "close"}.
"use strict";

let ws = null;

self.onmessage = (e) => {
  const m = e.data;
  if (m.op === "open") {
    try {
      ws = new WebSocket(m.url);
    } catch (err) {
      self.postMessage({ ev: "close" });
      return;
    }
    ws.onopen = () => self.postMessage({ ev: "open" });
    ws.onmessage = (ev) => self.postMessage(ev.data);
    ws.onclose = () => self.postMessage({ ev: "close" });
    ws.onerror = () => {};      // onclose follows
  } else if (m.op === "send") {
    if (ws && ws.readyState === 1) ws.send(m.data);
  } else if (m.op === "close") {
    if (ws) ws.close();
  }
};
