// The YAML editor the page uses, bundled by esbuild into webapp/static/vendor/editor.js as the global
// `YamlEditor` (see package.json). The page's own code never imports CodeMirror directly: it only
// calls the small API below, so the bundle can be rebuilt or replaced without touching it.
//
//   const view = YamlEditor.create(parent, {doc, onChange})
//   YamlEditor.getText(view) / YamlEditor.setText(view, text)
//   YamlEditor.showErrors(view, [{line, column, message}])   // 1-based; [] clears
//   YamlEditor.focusLine(view, line)
import { EditorView, basicSetup } from "codemirror";
import { EditorState } from "@codemirror/state";
import { yaml } from "@codemirror/lang-yaml";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { keymap } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";

const theme = EditorView.theme({
  "&": { height: "100%", fontSize: "13px" },
  ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" },
  ".cm-content": { minHeight: "100%" },
});

export function create(parent, { doc = "", onChange = null } = {}) {
  const extensions = [
    basicSetup,
    keymap.of([indentWithTab]),
    yaml(),
    lintGutter(),
    theme,
    EditorState.tabSize.of(2),
    EditorView.contentAttributes.of({ "aria-label": "YAML editor" }),
  ];
  if (onChange) {
    extensions.push(EditorView.updateListener.of((u) => {
      if (u.docChanged) onChange(u.state.doc.toString());
    }));
  }
  return new EditorView({ parent, state: EditorState.create({ doc, extensions }) });
}

export function getText(view) {
  return view.state.doc.toString();
}

export function setText(view, text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  view.dispatch(setDiagnostics(view.state, []));
}

// Clamp a 1-based line number to the document; null when the document is empty of lines.
function lineAt(doc, line) {
  const n = Math.min(Math.max(1, Math.floor(Number(line) || 1)), doc.lines);
  return doc.line(n);
}

export function showErrors(view, errors) {
  const doc = view.state.doc;
  const diagnostics = [];
  for (const e of errors || []) {
    if (e.line == null) continue;
    const ln = lineAt(doc, e.line);
    let from = ln.from;
    if (e.column != null) from = Math.min(ln.from + Math.max(0, Number(e.column) - 1), ln.to);
    // Underline from the column to the end of the line; an empty line still gets a marker.
    const to = from < ln.to ? ln.to : Math.min(from + 1, doc.length);
    diagnostics.push({ from, to: Math.max(from, to), severity: e.severity || "error",
                       message: String(e.message || "error") });
  }
  view.dispatch(setDiagnostics(view.state, diagnostics));
  return diagnostics.length;
}

export function focusLine(view, line) {
  const ln = lineAt(view.state.doc, line);
  view.dispatch({ selection: { anchor: ln.from }, scrollIntoView: true });
  view.focus();
}
