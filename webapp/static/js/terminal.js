// The terminal panel: a command line for the imperative way (kubectl run / scale / get ...),
// sent to /kubeplay/v1/terminal; output is shown as text, with ↑/↓ history.

import { api, errorMessage } from "./api.js";
import { h } from "./dom.js";

export class Terminal {
  constructor(root) {
    this.form = root.querySelector("#terminal-form");
    this.input = root.querySelector("#terminal-input");
    this.output = root.querySelector("#terminal-output");
    this.history = [];
    this.pos = 0;
    this.form.addEventListener("submit", (e) => { e.preventDefault(); this.run(this.input.value); });
    this.input.addEventListener("keydown", (e) => this._key(e));
  }

  async run(command) {
    command = command.trim();
    if (!command) return;
    this.history.push(command);
    this.pos = this.history.length;
    this.input.value = "";
    if (command === "clear") {
      this.output.replaceChildren();
      return;
    }
    const block = h("div", { class: "term-block" }, h("div", { class: "term-cmd", text: "$ " + command }));
    this.output.appendChild(block);
    const out = h("pre", { class: "term-out", text: "…" });
    block.appendChild(out);
    this._scroll();
    const r = await api.terminal(command);
    if (r.body && typeof r.body.output === "string") {
      out.textContent = r.body.output || "";
      const code = r.body.exitCode || 0;
      block.dataset.exitCode = String(code);
      if (code !== 0) out.classList.add("error");
    } else {
      out.textContent = errorMessage(r);
      out.classList.add("error");
      block.dataset.exitCode = "1";
    }
    while (this.output.childElementCount > 200) this.output.firstElementChild.remove();
    this._scroll();
  }

  _scroll() {
    this.output.scrollTop = this.output.scrollHeight;
  }

  _key(e) {
    if (e.key === "ArrowUp" && this.pos > 0) {
      this.pos--;
      this.input.value = this.history[this.pos];
      e.preventDefault();
    } else if (e.key === "ArrowDown") {
      this.pos = Math.min(this.history.length, this.pos + 1);
      this.input.value = this.history[this.pos] || "";
      e.preventDefault();
    }
  }
}
