// Copies xterm.js's stylesheet beside the bundle (webapp/static/vendor/xterm.css): the terminal
// needs it, and the page loads it from kubeplay itself (no CDN).
import { copyFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
copyFileSync(join(root, "node_modules", "@xterm", "xterm", "css", "xterm.css"),
             join(root, "..", "webapp", "static", "vendor", "xterm.css"));
