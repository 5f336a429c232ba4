// The terminal the page's pod Shell uses (xterm.js and its fit add-on), bundled by esbuild into
// webapp/static/vendor/xterm.js as the global `XTerm` (see package.json); its stylesheet is copied
// beside it as xterm.css. The page only calls:
//
//   const t = XTerm.create(parent, {onData, onResize})   // onData(text) for what is typed
//   XTerm.write(t, text) / XTerm.fit(t) / XTerm.focus(t) / XTerm.dispose(t)
//   XTerm.size(t) -> {cols, rows}
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";

export function create(parent, { onData = () => {}, onResize = () => {} } = {}) {
  const term = new Terminal({
    cursorBlink: true,
    convertEol: false,
    fontSize: 13,
    fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
    theme: { background: "#11151c", foreground: "#e6e9ef" },
    scrollback: 2000,
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(parent);
  term.onData(onData);
  term.onResize(({ cols, rows }) => onResize({ cols, rows }));
  fit.fit();
  return { term, fit };
}

export const write = (t, text) => t.term.write(text);
export const fit = (t) => t.fit.fit();
export const focus = (t) => t.term.focus();
export const dispose = (t) => t.term.dispose();
export const size = (t) => ({ cols: t.term.cols, rows: t.term.rows });
