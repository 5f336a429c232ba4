// Writes ../webapp/static/vendor/LICENSES.txt: the licence text of every package bundled into editor.js,
// read from package-lock.json so it lists exactly what `npm ci` installed (esbuild, the build
// tool, is not in the bundle and is skipped).
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
const parts = [
  "Third-party software bundled into webapp/static/vendor/editor.js and xterm.js/xterm.css (built from frontend/ by `npm run build`).\n",
];
const paths = Object.keys(lock.packages).filter((p) => p.startsWith("node_modules/")).sort();
for (const path of paths) {
  const name = path.slice("node_modules/".length);
  if (name === "esbuild" || name.startsWith("@esbuild/")) continue;
  const dir = join(root, path);
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const files = readdirSync(dir).filter((f) => /^(LICEN[CS]E|COPYING)/i.test(f)).sort();
  const text = files.map((f) => readFileSync(join(dir, f), "utf8").trim()).join("\n\n");
  parts.push(`${"=".repeat(78)}\n${name} ${meta.version} (${meta.license || "see text"})\n` +
             `${"=".repeat(78)}\n${text || "(no licence file shipped; licence: " + meta.license + ")"}\n`);
}
writeFileSync(join(root, "..", "webapp", "static", "vendor", "LICENSES.txt"), parts.join("\n"));
