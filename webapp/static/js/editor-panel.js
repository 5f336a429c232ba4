// The editor panel: the YAML editor (static/vendor/editor.js, global YamlEditor — or a plain
// textarea if the bundle is missing), Apply / Delete, the Examples menu, and error display: a
// syntax error or an apiserver refusal is marked at its line in the editor and shown as text
// (a syntax error with a plain-language hint beside the parser's words).
//
// The editor is tied to the cluster: selecting an object loads its live desired state; while the
// buffer is unedited it follows the cluster; once edited, a change in the cluster is announced
// (with the difference on request) instead of being lost or overwritten. The Apply button first
// asks the server for a preview (a dry run: the diff and the pods created, replaced or deleted)
// and applies only on Confirm. Replacing unsaved edits (an Example, another object) asks first.
//
// Test hooks on #editor-panel: data-source (live | example | empty), data-object
// ("Kind/namespace/name" when live), data-dirty, data-drift, data-apply (busy | preview | done |
// error | cancelled), data-error-lines.

import { api, errorMessage } from "./api.js";
import { loadExamples } from "./examples.js";
import { locateError } from "./fieldline.js";
import { changeSummary, desiredYaml, kubectlName } from "./desired.js";
import { lineDiff, renderDiff, trimmed } from "./textdiff.js";

const GROUP = { Deployment: ".apps", ReplicaSet: ".apps", StatefulSet: ".apps", DaemonSet: ".apps",
                EndpointSlice: ".discovery.k8s.io" };

/** kubectl's line for one result: the server's own text, else "deployment.apps/login-app created". */
export function resultLine(r) {
  if (r.text) return r.text;
  const kind = `${String(r.kind || "").toLowerCase()}${GROUP[r.kind] || ""}`;
  return r.action === "deleted" ? `${kind} "${r.name}" deleted` : `${kind}/${r.name} ${r.action}`;
}

/** Editor markers for a refusal: the reported line, plus one per further field cause. */
function refusalMarks(text, err, msg) {
  const marks = [];
  let line = err.line;
  if (line == null && err.field) line = locateError(text, err);
  if (line != null) marks.push({ line, column: null, message: msg });
  const causes = (((err.status || {}).details || {}).causes || []).filter((c) => c.field && c.field !== err.field);
  for (const c of causes) {
    const l = locateError(text, { field: c.field, message: err.message, document: err.document });
    if (l != null && !marks.some((m) => m.line === l)) {
      marks.push({ line: l, column: null, message: `${c.field}: ${c.message}` });
    }
  }
  return marks;
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

export class EditorPanel {
  constructor(root, model = null) {
    this.root = root;
    this.model = model;
    this.host = root.querySelector("#editor");
    this.message = root.querySelector("#editor-message");
    this.applyBtn = root.querySelector("#apply");
    this.deleteBtn = root.querySelector("#delete");
    this.examples = root.querySelector("#examples");
    this.source = root.querySelector("#editor-source");
    this.notice = root.querySelector("#editor-notice");
    this.preview = root.querySelector("#apply-preview");
    // The editor starts empty and shows the first example once the examples arrive, unless
    // the learner has typed in the meantime.
    this.typed = false;
    this.base = "";            // the text last put in by the page (edits are differences from it)
    this.tied = null;          // {uid, kind, name, yaml: the live state the buffer started from, obj}
    this.appliedText = null;   // the buffer as last applied (its own echo is not drift)
    const fallback = this.host.querySelector("textarea");
    if (window.YamlEditor) {
      if (fallback) fallback.remove();
      this.view = window.YamlEditor.create(this.host, { doc: "", onChange: () => this._edited() });
    } else {
      this.textarea = fallback;
      this.textarea.addEventListener("input", () => this._edited());
    }
    this.menu = [];
    loadExamples().then((list) => {
      this.menu = list;
      for (const ex of list) {
        const opt = document.createElement("option");
        opt.value = ex.id;
        opt.textContent = ex.title;
        this.examples.appendChild(opt);
      }
      if (!this.typed && !this.getText() && list.length) this.showExample(list[0]);
    }, (e) => this._say(e.message, "error"));
    this.examples.addEventListener("change", () => {
      const ex = this.menu.find((e) => e.id === this.examples.value);
      this.examples.value = "";
      if (ex) this._replacing(`the example “${ex.title}”`, () => this.showExample(ex));
    });
    this.applyBtn.addEventListener("click", () => this.previewApply());
    this.deleteBtn.addEventListener("click", () => this.delete());
    this.root.querySelector("#apply-confirm").addEventListener("click", () => this.confirmApply());
    this.root.querySelector("#apply-cancel").addEventListener("click", () => this.cancelApply());
    this._state();
  }

  getText() {
    return this.view ? window.YamlEditor.getText(this.view) : this.textarea.value;
  }

  /** Put text in the editor that is no object's live state (the tour's manifests). */
  setText(text) {
    this.tied = null;
    this._put(text);
    this._source("text", "");
  }

  /** Put text in the editor (the page's doing, not an edit). */
  _put(text) {
    this._setting = true;
    try {
      if (this.view) window.YamlEditor.setText(this.view, text);
      else this.textarea.value = text;
    } finally {
      this._setting = false;
    }
    this.base = text;
    this.appliedText = null;
    this._say("", "");
    this._hideNotice();
    this._closePreview();
    this._state();
  }

  get dirty() {
    return this.getText() !== this.base;
  }

  showExample(ex) {
    this.setText(ex.yaml);
    this._source("example", `example: ${ex.title}`);
  }

  /** A selected object: its live desired state, asking first if that would lose edits. */
  showObject(obj) {
    if (!obj || (this.tied && this.tied.uid === obj.metadata.uid)) return;
    this._replacing(kubectlName(obj) + "'s live state", () => this._load(obj));
  }

  _load(obj) {
    const yaml = desiredYaml(obj);
    this.tied = { uid: obj.metadata.uid, kind: obj.kind, name: kubectlName(obj), yaml, obj };
    this._put(yaml);
    this._source("live", `live: ${kubectlName(obj)}`);
    this.root.dataset.object = `${obj.kind}/${obj.metadata.namespace || ""}/${obj.metadata.name}`;
  }

  /** Run `replace` now, or — with unsaved edits — after the learner says so. */
  _replacing(what, replace) {
    if (!this.dirty || !this.getText().trim()) {
      replace();
      return;
    }
    this._showNotice("ask", `You have unsaved edits. Replace them with ${what}?`, [
      { label: "Replace my edits", primary: true, run: () => { this._hideNotice(); replace(); } },
      { label: "Keep editing", run: () => this._hideNotice() },
    ]);
  }

  /** Called each frame with the model's changed uids: follow or announce the tied object. */
  draw(dirty) {
    const t = this.tied;
    if (!t || !this.model || (dirty && !dirty.has(t.uid))) return;
    const obj = this.model.get(t.uid);
    if (!obj) {
      this.tied = null;
      this._source("gone", `${t.name} (deleted from the cluster)`);
      this._showNotice("drift", `${t.name} was deleted from the cluster. Apply would create it again.`, []);
      return;
    }
    const live = desiredYaml(obj);
    if (live === t.yaml || live === t.liveYaml) return;     // no change to the desired state, or announced
    const text = this.getText();
    const own = this.appliedText !== null && text === this.appliedText;
    if (!this.dirty || own) {
      // Unedited, or the echo of the learner's own Apply: the editor simply shows the cluster
      // (after an Apply, keeping Apply's own message).
      const prev = t.obj;
      const said = [this.message.textContent, this.message.dataset.kind];
      this._load(obj);
      if (own) this._say(...said);
      else this._say(`${t.name} changed in the cluster (${changeSummary(prev, obj)}): the editor shows it.`, "ok");
      return;
    }
    const summary = changeSummary(t.obj, obj);
    t.liveYaml = live;
    this._say("", "");
    this.root.dataset.drift = "true";
    const diffPre = el("pre", { class: "diff", id: "editor-diff", hidden: "" });
    const toggle = {
      label: "Show difference",
      run: (btn) => {
        const show = diffPre.hidden;
        if (show) renderDiff(diffPre, trimmed(lineDiff(this.getText(), live)));
        diffPre.hidden = !show;
        btn.textContent = show ? "Hide difference" : "Show difference";
      },
    };
    this._showNotice("drift", `${t.name} changed in the cluster since you started editing: ${summary}. ` +
                     "Apply would set it back to what your buffer says.", [
      toggle,
      { label: "Load live state", run: () => this._load(obj) },
      { label: "Keep my edits", run: () => this._hideNotice(true) },
    ], diffPre, el("p", { class: "diff-key", text: "− your buffer   + the cluster now" }));
  }

  // ---- Apply, with its preview -------------------------------------------------------------

  /** The Apply button: ask the server what would change, show it, wait for Confirm. */
  async previewApply() {
    const text = this.getText();
    this._mark([]);
    this._closePreview();
    this._say("Checking what Apply will change…", "busy");
    this.root.dataset.apply = "busy";
    this.applyBtn.disabled = true;
    try {
      const r = await api.applyPreview(text);
      if (!r.ok) {
        this._showError(r, text);
        this.root.dataset.apply = "error";
        return r;
      }
      this._say("", "");
      this._renderPreview((r.body || {}).preview || [], text);
      this.root.dataset.apply = "preview";
      return r;
    } finally {
      this.applyBtn.disabled = false;
    }
  }

  async confirmApply() {
    const text = this.previewText;
    this._closePreview();
    if (text !== undefined && text !== this.getText()) {
      this._say("The text changed since the preview: press Apply again to see what it will do.", "error");
      this.root.dataset.apply = "cancelled";
      return null;
    }
    return this.apply();
  }

  cancelApply() {
    this._closePreview();
    this._say("Apply cancelled: nothing was changed.", "");
    this.root.dataset.apply = "cancelled";
  }

  _renderPreview(items, text) {
    this.previewText = text;
    const body = this.preview.querySelector("#apply-preview-body");
    body.textContent = "";
    const changing = items.filter((it) => it.action !== "unchanged");
    if (!changing.length) {
      body.append(el("p", { text: "Nothing to change: every object is as the cluster already has it." }));
    }
    for (const it of items) {
      const kind = `${String(it.kind).toLowerCase()}${GROUP[it.kind] || ""}`;
      const item = el("div", { class: "pv-item", "data-kind": it.kind, "data-name": it.name, "data-action": it.action },
                      el("h4", {}, el("span", { text: `${kind}/${it.name} ` }),
                         el("span", { class: `pv-action ${it.action}`, text: it.action === "created" ? "will be created"
                           : it.action === "configured" ? "will be changed" : "unchanged" })));
      const pods = it.pods || {};
      if ((pods.summary || []).length) {
        const ul = el("ul", { class: "pv-pods" });
        for (const line of pods.summary) {
          const effect = /created/.test(line) ? "create" : /replaced/.test(line) ? "replace" : /deleted/.test(line) ? "delete" : "other";
          ul.append(el("li", { "data-effect": effect, text: line }));
        }
        item.append(ul);
        if ((pods.names || []).length) {
          item.append(el("p", { class: "pv-names", text: `${pods.replace ? "the pods that go" : "deleted from"}: ${pods.names.join(", ")}` }));
        }
      }
      if (it.warning) item.append(el("p", { class: "pv-warning", text: it.warning }));
      if (it.diff) {
        const pre = el("pre", { class: "diff" });
        renderDiff(pre, it.diff.split("\n").slice(2).join("\n"));    // without the ---/+++ header
        item.append(pre);
      }
      body.append(item);
    }
    this.preview.hidden = false;
    this.preview.scrollIntoView({ block: "nearest" });
    this.root.querySelector("#apply-confirm").focus({ preventScroll: true });
  }

  _closePreview() {
    if (this.preview) this.preview.hidden = true;
    this.previewText = undefined;
  }

  // ---- Apply and Delete, for real ----------------------------------------------------------

  apply() { return this._send("apply"); }
  delete() { return this._send("delete"); }

  async _send(verb) {
    const text = this.getText();
    this._mark([]);
    this._closePreview();
    this._say(verb === "apply" ? "Applying…" : "Deleting…", "busy");
    this.root.dataset.apply = "busy";
    this.applyBtn.disabled = this.deleteBtn.disabled = true;
    try {
      const r = verb === "apply" ? await api.apply(text) : await api.delete(text);
      if (r.ok) {
        // The apiserver's warnings come first, each as kubectl prints it (`Warning: <text>`).
        const lines = ((r.body || {}).results || []).flatMap((x) => [...(x.warnings || []).map((w) => `Warning: ${w}`), resultLine(x)]);
        this._say(lines.join("\n") || "nothing to do", "ok");
        this.root.dataset.apply = "done";
        if (verb === "apply") {
          // Applied edits are saved: the buffer is now what the cluster was told.
          this.appliedText = text;
          this.base = text;
          this._hideNotice();
          this._state();
        }
        return r;
      }
      this._showError(r, text);
      this.root.dataset.apply = "error";
      return r;
    } finally {
      this.applyBtn.disabled = this.deleteBtn.disabled = false;
    }
  }

  _showError(r, text) {
    const err = (r.body || {}).error || {};
    const msg = errorMessage(r);
    // A YAML syntax error is about a place in the text; an apiserver refusal is about fields.
    const syntax = err.line != null && !err.field && !err.status;
    if (syntax) {
      const hint = err.hint ? `\n→ ${err.hint}` : "";
      this._say(`line ${err.line}${err.column != null ? `, column ${err.column}` : ""}: ${msg}${hint}`, "error");
      this._mark([{ line: err.line, column: err.column, message: err.hint ? `${msg} — ${err.hint}` : msg }]);
    } else {
      const marks = refusalMarks(text, err, msg);
      this._say(marks.length ? `line ${marks[0].line}: ${msg}` : msg, "error");
      this._mark(marks);
      // A real cluster's server-side apply conflict (another field manager owns the fields):
      // offer kubectl's --force-conflicts, once the learner has read whose fields they are.
      if (err.conflict) {
        this._showNotice("conflict", "Another manager owns these fields. Force the apply to take them over?", [
          { label: "Force apply", primary: true, run: async () => {
            this._hideNotice();
            this._say("Applying with force…", "busy");
            const fr = await api.applyForce(text);
            if (fr.ok) {
              this._say(((fr.body || {}).results || []).map(resultLine).join("\n"), "ok");
              this.root.dataset.apply = "done";
            } else {
              this._showError(fr, text);
            }
          } },
          { label: "Cancel", run: () => this._hideNotice() }]);
      }
    }
  }

  // ---- small parts ---------------------------------------------------------------------------

  _showNotice(kind, text, buttons, ...extra) {
    this.notice.textContent = "";
    this.notice.dataset.kind = kind;
    const actions = el("div", { class: "notice-actions" });
    for (const b of buttons) {
      const btn = el("button", { type: "button", class: b.primary ? "primary" : "", text: b.label });
      btn.addEventListener("click", () => b.run(btn));
      actions.append(btn);
    }
    this.notice.append(el("p", { text }), actions, ...extra);
    this.notice.hidden = false;
  }

  _hideNotice(keepDrift = false) {
    this.notice.hidden = true;
    this.notice.textContent = "";
    if (!keepDrift) delete this.root.dataset.drift;
  }

  _source(kind, text) {
    this.root.dataset.source = kind;
    if (kind !== "live") delete this.root.dataset.object;
    this.sourceLabel = text;
    this._state();
  }

  _state() {
    const dirty = this.dirty;
    this.root.dataset.dirty = String(dirty);
    if (this.source) this.source.textContent = (this.sourceLabel || "") + (dirty ? " · edited" : "");
  }

  _mark(errors) {
    if (this.view) window.YamlEditor.showErrors(this.view, errors);
    this.root.dataset.errorLines = errors.map((e) => e.line).join(",");
  }

  _say(text, kind) {
    this.message.textContent = text;
    this.message.dataset.kind = kind;
  }

  _edited() {
    if (this._setting) return;
    this.typed = true;
    this._state();
    if (this.root.dataset.errorLines) this._mark([]);
  }
}
