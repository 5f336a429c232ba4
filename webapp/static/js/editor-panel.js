// The editor panel: the YAML editor (static/vendor/editor.js, global YamlEditor — or a plain
// textarea if the bundle is missing), Apply / Delete, the Examples menu, and error display: a
// syntax error or an apiserver refusal is marked at its line in the editor and shown as text.

import { api, errorMessage } from "./api.js";
import { loadExamples } from "./examples.js";
import { locateError } from "./fieldline.js";

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

export class EditorPanel {
  constructor(root) {
    this.root = root;
    this.host = root.querySelector("#editor");
    this.message = root.querySelector("#editor-message");
    this.applyBtn = root.querySelector("#apply");
    this.deleteBtn = root.querySelector("#delete");
    this.examples = root.querySelector("#examples");
    // The editor starts empty and shows the first example once the examples arrive, unless
    // the learner has typed in the meantime.
    this.typed = false;
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
      if (!this.typed && !this.getText() && list.length) this.setText(list[0].yaml);
    }, (e) => this._say(e.message, "error"));
    this.examples.addEventListener("change", () => {
      const ex = this.menu.find((e) => e.id === this.examples.value);
      if (ex) this.setText(ex.yaml);
      this.examples.value = "";
    });
    this.applyBtn.addEventListener("click", () => this.apply());
    this.deleteBtn.addEventListener("click", () => this.delete());
  }

  getText() {
    return this.view ? window.YamlEditor.getText(this.view) : this.textarea.value;
  }

  setText(text) {
    if (this.view) window.YamlEditor.setText(this.view, text);
    else this.textarea.value = text;
    this._say("", "");
  }

  apply() { return this._send("apply"); }
  delete() { return this._send("delete"); }

  async _send(verb) {
    const text = this.getText();
    this._mark([]);
    this._say(verb === "apply" ? "Applying…" : "Deleting…", "busy");
    this.applyBtn.disabled = this.deleteBtn.disabled = true;
    try {
      const r = verb === "apply" ? await api.apply(text) : await api.delete(text);
      if (r.ok) {
        // The apiserver's warnings come first, each as kubectl prints it (`Warning: <text>`).
        const lines = ((r.body || {}).results || []).flatMap((x) => [...(x.warnings || []).map((w) => `Warning: ${w}`), resultLine(x)]);
        this._say(lines.join("\n") || "nothing to do", "ok");
        return r;
      }
      const err = (r.body || {}).error || {};
      const msg = errorMessage(r);
      // A YAML syntax error is about a place in the text; an apiserver refusal is about fields.
      const syntax = err.line != null && !err.field && !err.status;
      if (syntax) {
        this._say(`line ${err.line}${err.column != null ? `, column ${err.column}` : ""}: ${msg}`, "error");
        this._mark([{ line: err.line, column: err.column, message: msg }]);
      } else {
        this._say(msg, "error");
        this._mark(refusalMarks(text, err, msg));
      }
      return r;
    } finally {
      this.applyBtn.disabled = this.deleteBtn.disabled = false;
    }
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
    this.typed = true;
    if (this.root.dataset.errorLines) this._mark([]);
  }
}
