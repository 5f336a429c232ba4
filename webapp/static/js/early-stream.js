// The stream's socket, opened while the page is still loading: a classic script in <head> runs
// before the page's modules have been fetched and evaluated, and on a big cluster the server
// spends that time preparing the snapshot. sync.js adopts this socket (and the messages that came
// before it was ready) for its first connection; if anything here fails, sync.js connects itself.
//
// The socket lives in a worker (stream-worker.js: its bytes are read off the page's main thread,
// which is busy evaluating modules and parsing while a big snapshot arrives; this first
// connection's snapshot is fetched over HTTP, which Chromium reads faster); the page talks to it
// through `StreamSocket`, which has a WebSocket's handlers (onopen, onmessage with the message's
// text as `data`, onclose), readyState, send and close. Without workers, a plain WebSocket.
(function () {
  var script = document.currentScript;
  var workerUrl = script && script.src ? script.src.replace(/early-stream\.js(\?.*)?$/, "stream-worker.js") : null;
  var workersFail = false;     // a worker that could not start: later sockets are plain WebSockets

  function StreamSocket(url, snapshotUrl) {
    var self = this;
    this.url = url;
    this.readyState = 0;
    this.onopen = this.onmessage = this.onclose = this.onerror = null;
    var w = this.worker = new Worker(workerUrl);
    function closed() {
      if (self.readyState === 3) return;
      self.readyState = 3;
      w.terminate();
      if (self.onclose) self.onclose();
    }
    w.onmessage = function (e) {
      var d = e.data;
      // Handled: the worker may send the next (stream-worker.js hands over one at a time).
      try {
        handle(d, e);
      } finally {
        if (self.readyState !== 3) w.postMessage({ op: "ack" });
      }
    };
    function handle(d, e) {
      if (typeof d === "string") {
        if (self.readyState === 1 && self.onmessage) self.onmessage(e);
      } else if (d.ev === "open") {
        if (self.readyState !== 0) return;
        self.readyState = 1;
        if (self.onopen) self.onopen();
      } else if (d.ev === "close") {
        closed();
      }
    }
    w.onerror = function (e) {
      if (e && e.preventDefault) e.preventDefault();
      if (self.readyState === 0) workersFail = true;
      closed();
    };
    w.postMessage({ op: "open", url: url, snapshotUrl: snapshotUrl || null });
  }
  StreamSocket.prototype.send = function (data) {
    if (this.readyState === 1) this.worker.postMessage({ op: "send", data: String(data) });
  };
  StreamSocket.prototype.close = function () {
    if (this.readyState < 2) {
      this.readyState = 2;
      this.worker.postMessage({ op: "close" });
    }
  };

  /** A socket on the page's stream: in a worker where workers work, else a WebSocket.
   *  snapshotUrl: a fresh page's first snapshot is fetched from there (stream-worker.js). */
  window.kubeplayStreamSocket = function (url, snapshotUrl) {
    if (workerUrl && !workersFail && typeof Worker === "function") {
      try {
        return new StreamSocket(url, snapshotUrl);
      } catch (e) {
        workersFail = true;
      }
    }
    return new WebSocket(url);
  };

  try {
    var url = (location.protocol === "https:" ? "wss" : "ws") + "://" + location.host + "/kubeplay/v1/stream";
    var ws = window.kubeplayStreamSocket(url, location.origin + "/kubeplay/v1/snapshot");
    var early = { ws: ws, messages: [], opened: false, closed: false };
    ws.onopen = function () {
      early.opened = true;
      ws.send(JSON.stringify({ type: "hello", resourceVersion: "", decisionSeq: 0 }));
    };
    ws.onmessage = function (e) { early.messages.push(e); };
    ws.onclose = function () { early.closed = true; };
    window.kubeplayEarlyStream = early;
  } catch (e) {
    window.kubeplayEarlyStream = null;
  }
})();
