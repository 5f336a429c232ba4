// A line diff for the editor (the buffer against the cluster's live state), shown like
// `diff -u` without hunks: unchanged lines in grey, removed with "-", added with "+".

/** [{op: " " | "-" | "+", text}] turning the lines of `a` into those of `b` (longest common
 * subsequence; the editor's texts are a few hundred lines at most). */
export function lineDiff(a, b) {
  const x = a.split("\n"), y = b.split("\n");
  const n = x.length, m = y.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) { out.push({ op: " ", text: x[i] }); i++; j++; }
    // Removed lines before added ones, as diff -u prints a changed line.
    else if (i < n && (j >= m || lcs[i + 1][j] >= lcs[i][j + 1])) { out.push({ op: "-", text: x[i] }); i++; }
    else { out.push({ op: "+", text: y[j] }); j++; }
  }
  return out;
}

/** Only the changed lines with `context` lines around them; "…" between distant changes. */
export function trimmed(ops, context = 2) {
  const keep = ops.map(() => false);
  ops.forEach((o, k) => {
    if (o.op === " ") return;
    for (let d = -context; d <= context; d++) if (ops[k + d]) keep[k + d] = true;
  });
  const out = [];
  let gap = false;
  ops.forEach((o, k) => {
    if (keep[k]) { if (gap && out.length) out.push({ op: "…", text: "" }); out.push(o); gap = false; }
    else gap = true;
  });
  return out;
}

/** Fill a <pre> with one span per line, classed by its op; `text` is unified-diff text or ops. */
export function renderDiff(pre, diff) {
  pre.textContent = "";
  const ops = typeof diff === "string"
    ? diff.split("\n").map((l) => ({ op: l.startsWith("@@") ? "@" : (l[0] || " "), text: l.slice(1), raw: l }))
    : diff;
  for (const o of ops) {
    const span = document.createElement("span");
    span.className = { "+": "add", "-": "del", "@": "hunk", "…": "hunk" }[o.op] || "same";
    span.textContent = (o.raw !== undefined ? o.raw : `${o.op === "…" ? "…" : o.op}${o.text}`) + "\n";
    pre.appendChild(span);
  }
}
