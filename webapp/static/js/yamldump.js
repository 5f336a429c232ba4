// A small YAML writer for showing objects in the details panel (block style, like kubectl -o yaml).
// Output goes into textContent only.

const PLAIN = /^[A-Za-z0-9_./-][A-Za-z0-9_ ./:-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n|[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan)$/i;

function scalar(v) {
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean" || typeof v === "number") return String(v);
  const s = String(v);
  if (s === "" || !PLAIN.test(s) || RESERVED.test(s) || s.endsWith(":") || s.endsWith(" ") ||
      s.includes(": ") || s.includes(" #")) {
    return JSON.stringify(s);
  }
  return s;
}

function key(k) {
  return PLAIN.test(k) && !RESERVED.test(k) && !k.includes(": ") ? k : JSON.stringify(k);
}

function isEmpty(v) {
  return v && typeof v === "object" && Object.keys(v).length === 0;
}

function write(v, indent, out) {
  const pad = " ".repeat(indent);
  if (Array.isArray(v)) {
    for (const item of v) {
      if (item && typeof item === "object" && !isEmpty(item)) {
        const lines = [];
        write(item, indent + 2, lines);
        out.push(pad + "- " + lines[0].slice(indent + 2));
        for (let i = 1; i < lines.length; i++) out.push(lines[i]);
      } else {
        out.push(pad + "- " + (isEmpty(item) ? (Array.isArray(item) ? "[]" : "{}") : scalar(item)));
      }
    }
    return;
  }
  for (const [k, val] of Object.entries(v)) {
    if (val && typeof val === "object" && !isEmpty(val)) {
      out.push(pad + key(k) + ":");
      write(val, Array.isArray(val) ? indent : indent + 2, out);
    } else {
      out.push(pad + key(k) + ": " + (isEmpty(val) ? (Array.isArray(val) ? "[]" : "{}") : scalar(val)));
    }
  }
}

export function toYaml(obj) {
  if (obj === null || typeof obj !== "object") return scalar(obj) + "\n";
  const out = [];
  write(obj, 0, out);
  return out.join("\n") + "\n";
}
