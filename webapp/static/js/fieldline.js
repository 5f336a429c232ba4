// Where is a field in the YAML text? The apply endpoint reports a line when it knows one; when it
// only names a field ("spec.selector") this finds the deepest part of that path that exists in
// the document the error is about, so the editor can still mark a line. Indentation-based: good
// enough for block-style manifests, and never worse than marking nothing.

const KEY = /^(\s*)((?:-\s+)*)([^\s#'"{[-][^:#]*?|"[^"]*"|'[^']*')\s*:(?:\s|$)/;
const DASH = /^(\s*)-(?:\s|$)/;

function parsePath(field) {
  const out = [];
  for (const part of String(field).split(".")) {
    const m = /^([^[]*)((?:\[[^\]]*\])*)$/.exec(part);
    if (!m) { out.push(part); continue; }
    if (m[1]) out.push(m[1]);
    for (const idx of m[2].match(/\[[^\]]*\]/g) || []) {
      const v = idx.slice(1, -1);
      out.push(/^\d+$/.test(v) ? Number(v) : v);
    }
  }
  return out;
}

const blank = (l) => /^\s*(#.*)?$/.test(l);

/** The documents of a multi-document text: [{start, end}] as 0-based line ranges. */
export function documents(lines) {
  const docs = [];
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    if (/^---(\s|$)/.test(lines[i])) {
      docs.push({ start, end: i });
      start = i + 1;
    }
  }
  docs.push({ start, end: lines.length });
  return docs.filter((d) => lines.slice(d.start, d.end).some((l) => !blank(l)));
}

function keyAt(line) {
  const m = KEY.exec(line);
  if (!m) return null;
  let k = m[3];
  if (/^["']/.test(k)) k = k.slice(1, -1);
  return { key: k, indent: m[1].length + m[2].length };
}

/** 1-based line of the deepest existing prefix of `field` in lines[start:end), or null. */
export function fieldLine(lines, start, end, field) {
  let lo = start, hi = end, parent = -1, best = null;
  for (const seg of parsePath(field)) {
    let found = -1, foundIndent = 0;
    if (typeof seg === "number") {
      let itemIndent = null, n = -1;
      for (let i = lo; i < hi; i++) {
        if (blank(lines[i])) continue;
        const m = DASH.exec(lines[i]);
        const ind = m ? m[1].length : /^\s*/.exec(lines[i])[0].length;
        if (itemIndent === null) {
          if (!m || ind < parent) break;
          itemIndent = ind;
        }
        if (ind < itemIndent || (ind === itemIndent && !m)) break;
        if (m && ind === itemIndent && ++n === seg) { found = i; foundIndent = ind + 1; break; }
      }
      if (found < 0) break;
      // The item's own keys start on its "- " line, one level deeper than the dash.
      lo = found;
    } else {
      let childIndent = null;
      for (let i = lo; i < hi; i++) {
        if (blank(lines[i])) continue;
        const k = keyAt(lines[i]);
        if (!k || k.indent <= parent) continue;
        if (childIndent === null) childIndent = k.indent;
        if (k.indent === childIndent && k.key === seg) { found = i; foundIndent = k.indent; break; }
      }
      if (found < 0) break;
      lo = found + 1;
    }
    best = found + 1;
    parent = foundIndent;
    // The field's extent: following lines indented deeper (or a "- " list at the same column).
    let j = found + 1;
    for (; j < hi; j++) {
      if (blank(lines[j])) continue;
      const ind = /^\s*/.exec(lines[j])[0].length;
      if (ind > foundIndent || (typeof seg !== "number" && ind === foundIndent && DASH.test(lines[j]))) continue;
      break;
    }
    hi = j;
    if (typeof seg === "number") parent = foundIndent;   // keys of the item are deeper than its dash
  }
  return best;
}

/** Best line for an apiserver refusal: {field, message, document?} → 1-based line or null. */
export function locateError(text, error) {
  if (!error || !error.field) return null;
  const lines = text.split("\n");
  const docs = documents(lines);
  let doc = docs.length === 1 ? docs[0] : null;
  if (!doc && Number.isInteger(error.document)) doc = docs[error.document] || null;
  const m = /^(?:The )?(\w+)(?:\.[\w.]+)? "([^"]+)" is (?:invalid|forbidden)/.exec(error.message || "");
  if (!doc && m) {
    doc = docs.find((d) => {
      const body = lines.slice(d.start, d.end);
      return body.some((l) => new RegExp(`^kind:\\s*${m[1]}\\s*$`).test(l)) &&
             body.some((l) => /^\s+name:\s*/.test(l) && l.replace(/^\s+name:\s*/, "").replace(/["']/g, "").trim() === m[2]);
    }) || null;
  }
  if (!doc) return null;
  return fieldLine(lines, doc.start, doc.end, error.field);
}
