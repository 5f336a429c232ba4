// Scenarios that check themselves: the list from GET /kubeplay/v1/scenarios (the repository's
// webapp/scenarios/scenarios.yaml). Start applies a scenario's setup; while it is the active one
// the server checks the live cluster every couple of seconds and marks it done. Progress (state,
// the check's memory, hints shown) is kept in localStorage, so a reload keeps it.
//
// Test hooks: [data-scenario="<id>"] with data-state="open|done" (and data-active on the one
// being checked).

const KEY = "kubeplay.scenarios";
const EVERY_MS = 1500;

async function call(method, url, body) {
  const init = { method, headers: { Accept: "application/json", "X-Kubeplay-Request": "page" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  try {
    const res = await fetch(url, init);
    return { ok: res.ok, body: await res.json().catch(() => null) };
  } catch (e) {
    return { ok: false, body: null };
  }
}

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v;
    else if (k === "onclick") e.addEventListener("click", v);
    else e.setAttribute(k, v);
  }
  for (const c of kids) if (c) e.append(c);
  return e;
}

export class Scenarios {
  constructor(root, { onError = () => {} } = {}) {
    this.root = root;
    this.list = root.querySelector("#scenario-list");
    this.onError = onError;
    this.items = [];
    this.progress = this._load();
    this.timer = null;
  }

  async load() {
    const r = await call("GET", "/kubeplay/v1/scenarios");
    if (!r.ok || !r.body) return;
    this.items = r.body.scenarios || [];
    this.draw();
    if (this.progress.active) this._poll();
  }

  _load() {
    try {
      const p = JSON.parse(localStorage.getItem(KEY) || "{}");
      return { active: p.active || null, items: p.items || {} };
    } catch (e) {
      return { active: null, items: {} };
    }
  }

  _save() {
    try { localStorage.setItem(KEY, JSON.stringify(this.progress)); } catch (e) { /* private mode */ }
  }

  _state(id) {
    return this.progress.items[id] || (this.progress.items[id] = { state: "open", memory: null, hints: 0, text: "" });
  }

  draw() {
    this.list.textContent = "";
    let done = 0;
    for (const s of this.items) {
      const st = this._state(s.id);
      if (st.state === "done") done++;
      const active = this.progress.active === s.id;
      const li = el("li", { "data-scenario": s.id, "data-state": st.state === "done" ? "done" : "open",
                            class: "scenario" });
      if (active) li.dataset.active = "true";
      const head = el("div", { class: "sc-head" },
        el("span", { class: "sc-mark", "aria-hidden": "true", text: st.state === "done" ? "✓" : "○" }),
        el("span", { class: "sc-title", text: s.title }));
      if (!active) {
        head.append(el("button", { type: "button", text: st.state === "done" ? "Again" : "Start",
                                   "aria-label": `Start scenario: ${s.title}`, onclick: () => this.start(s.id) }));
      }
      li.append(head);
      if (active || st.state === "done") {
        li.append(el("p", { class: "sc-goal", text: s.goal }));
        if (st.text) li.append(el("p", { class: "sc-progress", text: (st.state === "done" ? "Done: " : "") + st.text }));
        const shown = (s.hints || []).slice(0, st.hints);
        if (shown.length) {
          const ol = el("ol", { class: "sc-hints" });
          for (const h of shown) ol.append(el("li", { text: h }));
          li.append(ol);
        }
        if (active && st.hints < (s.hints || []).length && st.state !== "done") {
          li.append(el("button", { type: "button", class: "sc-hint", text: "Hint",
                                   onclick: () => { st.hints++; this._save(); this.draw(); } }));
        }
      }
      this.list.append(li);
    }
    const count = this.root.querySelector("#scenarios-done");
    if (count) count.textContent = `${done}/${this.items.length}`;
  }

  async start(id) {
    const r = await call("POST", `/kubeplay/v1/scenarios/${encodeURIComponent(id)}/start`, {});
    if (!r.ok) {
      this.onError(((r.body || {}).error || {}).message || "the scenario could not start");
      return;
    }
    const st = this._state(id);
    Object.assign(st, { state: "open", memory: r.body.memory || {}, text: "started", hints: 0 });
    this.progress.active = id;
    this._save();
    this.draw();
    this._poll();
  }

  _poll() {
    clearTimeout(this.timer);
    const id = this.progress.active;
    if (!id) return;
    this.timer = setTimeout(async () => {
      const st = this._state(id);
      const r = await call("POST", `/kubeplay/v1/scenarios/${encodeURIComponent(id)}/check`, { memory: st.memory || {} });
      if (this.progress.active !== id) return;
      if (r.ok && r.body) {
        st.memory = r.body.memory;
        st.text = r.body.progress;
        if (r.body.done) {
          st.state = "done";
          this.progress.active = null;
        }
        this._save();
        this.draw();
      }
      if (this.progress.active === id) this._poll();
    }, EVERY_MS);
  }
}
