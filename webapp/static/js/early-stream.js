// The stream's socket, opened while the page is still loading: a classic script in <head> runs
// before the page's modules have been fetched and evaluated, and on a big cluster the server
// spends that time preparing the snapshot. sync.js adopts this socket (and the messages that came
// before it was ready) for its first connection; if anything here fails, sync.js connects itself.
(function () {
  try {
    var url = (location.protocol === "https:" ? "wss" : "ws") + "://" + location.host + "/kubeplay/v1/stream";
    var ws = new WebSocket(url);
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
