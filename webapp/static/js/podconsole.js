// A pod's Shell and its Logs, in a drawer under the map (issue 11: life inside the containers).
//
// Shell: an interactive terminal (xterm.js, bundled offline as vendor/xterm.js) on the same
// `exec` the real kubectl uses — a WebSocket to /api/v1/.../pods/<name>/exec speaking
// v5.channel.k8s.io: each binary message starts with its channel (0 stdin, 1 stdout, 2 stderr,
// 3 the closing Status, 4 terminal size). Logs: the container's log, following live
// (GET .../log?follow=true), as `kubectl logs -f` reads it. Both end when the drawer closes.

import { h, setText } from "./dom.js";

const STDIN = 0, STDOUT = 1, STDERR = 2, ERROR = 3, RESIZE = 4;
const enc = encodeURIComponent;

function podPath(pod) {
  return `/api/v1/namespaces/${enc(pod.metadata.namespace)}/pods/${enc(pod.metadata.name)}`;
}

/** The text a closing Status says, as kubectl would print it (or "" for Success). */
function statusText(status) {
  if (!status || status.status === "Success") return "";
  const causes = ((status.details || {}).causes || []);
  const code = causes.find((c) => c.reason === "ExitCode");
  if (status.reason === "NonZeroExitCode" && code) return `command terminated with exit code ${code.message}`;
  return status.message || "the session ended with an error";
}

export class PodConsole {
  constructor(root, { onError = () => {} } = {}) {
    this.root = root;
    this.title = root.querySelector("#pod-console-title");
    this.screen = root.querySelector("#pod-console-screen");
    this.containerSel = root.querySelector("#pod-console-container");
    this.onError = onError;
    this.term = null;
    this.ws = null;
    this.abort = null;
    this.mode = null;
    this.pod = null;
    this.sessions = 0;            // sessions opened (tests wait on it)
    root.querySelector("#pod-console-close").addEventListener("click", () => this.close());
    this.containerSel.addEventListener("change", () => this.pod && this.open(this.pod, this.mode, this.containerSel.value));
    window.addEventListener("resize", () => this._fit());
  }

  _containers(pod) {
    return ((pod.spec || {}).containers || []).map((c) => c.name);
  }

  /** Open the Shell ("shell") or the Logs ("logs") of `pod`'s container (its first by default). */
  open(pod, mode, container = null) {
    this.close(false);
    const names = this._containers(pod);
    container = container && names.includes(container) ? container : names[0];
    this.pod = pod;
    this.mode = mode;
    this.container = container;
    this.containerSel.replaceChildren(...names.map((n) => h("option", { value: n, text: n })));
    this.containerSel.value = container;
    this.containerSel.hidden = names.length < 2;
    setText(this.title, `${mode === "shell" ? "Shell" : "Logs"} · ${pod.metadata.namespace}/${pod.metadata.name}` +
                        (names.length > 1 ? "" : ` (${container})`));
    this.root.hidden = false;
    this.root.dataset.mode = mode;
    if (typeof XTerm === "undefined") {
      this.onError("the terminal did not load (vendor/xterm.js)");
      return;
    }
    this.term = XTerm.create(this.screen, {
      onData: (text) => this._send(STDIN, text),
      onResize: ({ cols, rows }) => this._send(RESIZE, JSON.stringify({ Width: cols, Height: rows })),
    });
    this._fit();
    this.sessions++;
    if (mode === "shell") this._shell(pod, container);
    else this._logs(pod, container);
    XTerm.focus(this.term);
  }

  close(hide = true) {
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      try { ws.close(); } catch (e) { /* already closed */ }
    }
    if (this.abort) {
      this.abort.abort();
      this.abort = null;
    }
    if (this.term) {
      XTerm.dispose(this.term);
      this.term = null;
    }
    this.screen.replaceChildren();
    if (hide) {
      this.root.hidden = true;
      this.pod = null;
    }
  }

  _fit() {
    if (this.term && !this.root.hidden) XTerm.fit(this.term);
  }

  _write(text) {
    if (this.term) XTerm.write(this.term, text);
  }

  _send(channel, text) {
    if (!this.ws || this.ws.readyState !== 1) return;
    const body = new TextEncoder().encode(text);
    const msg = new Uint8Array(body.length + 1);
    msg[0] = channel;
    msg.set(body, 1);
    this.ws.send(msg);
  }

  _shell(pod, container) {
    const { cols, rows } = XTerm.size(this.term);
    const q = new URLSearchParams([["command", "sh"], ["stdin", "true"], ["stdout", "true"], ["tty", "true"],
                                   ["container", container]]);
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${podPath(pod)}/exec?${q}`;
    const ws = new WebSocket(url, ["v5.channel.k8s.io"]);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    const out = new TextDecoder(), err = new TextDecoder();
    let ended = "";
    ws.onopen = () => this._send(RESIZE, JSON.stringify({ Width: cols, Height: rows }));
    ws.onmessage = (e) => {
      if (ws !== this.ws || typeof e.data === "string") return;
      const data = new Uint8Array(e.data);
      if (!data.length) return;
      const payload = data.subarray(1);
      if (data[0] === STDOUT) this._write(out.decode(payload, { stream: true }));
      else if (data[0] === STDERR) this._write(err.decode(payload, { stream: true }));
      else if (data[0] === ERROR) {
        try { ended = statusText(JSON.parse(new TextDecoder().decode(payload))); } catch (x) { ended = ""; }
      }
    };
    ws.onclose = (e) => {
      if (ws !== this.ws) return;
      this.ws = null;
      const why = ended || (e.code !== 1000 && e.code !== 1005 ? `the connection closed (${e.code})` : "");
      this._write(`\r\n\x1b[2m[${why ? why : "session ended"}]\x1b[0m\r\n`);
      this.root.dataset.ended = "true";
    };
    this.root.dataset.ended = "false";
  }

  async _logs(pod, container) {
    const abort = new AbortController();
    this.abort = abort;
    const q = new URLSearchParams([["follow", "true"], ["tailLines", "500"], ["container", container]]);
    let res;
    try {
      // The page's header: over a real cluster, kubeplay passes logs on only to its page.
      res = await fetch(`${podPath(pod)}/log?${q}`, { signal: abort.signal,
                                                     headers: { Accept: "*/*", "X-Kubeplay-Request": "page" } });
    } catch (e) {
      if (abort.signal.aborted) return;
      this._write("[cannot reach the kubeplay server]\r\n");
      return;
    }
    if (!res.ok) {
      let text = `HTTP ${res.status}`;
      try { text = (await res.json()).message || text; } catch (e) { /* not JSON */ }
      this._write(`\x1b[31m${text}\x1b[0m\r\n`);
      return;
    }
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || abort.signal.aborted) break;
        this._write(dec.decode(value, { stream: true }).replace(/\r?\n/g, "\r\n"));
      }
      if (!abort.signal.aborted) this._write("\x1b[2m[the container stopped: end of log]\x1b[0m\r\n");
    } catch (e) {
      /* aborted: the drawer closed */
    }
  }
}
