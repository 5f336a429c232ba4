// The topbar's Export: the playground's objects as clean manifests that apply to a real cluster
// (GET /kubeplay/v1/export, webapp/page/export.py — the same answer `kubeplay export` writes),
// saved as a file the browser downloads.

const FILE = "kubeplay-export.yaml";

/** Fetch the manifests and hand them to the browser as a download; returns a line for a toast
 *  ({text, kind}). The page's header is required: the export holds every object, Secrets too. */
export async function downloadExport() {
  let res;
  try {
    res = await fetch("/kubeplay/v1/export?output=yaml",
                      { headers: { Accept: "application/yaml", "X-Kubeplay-Request": "page" } });
  } catch (e) {
    return { text: "cannot reach the kubeplay server", kind: "error" };
  }
  const text = await res.text();
  if (!res.ok) {
    let message = `export failed (HTTP ${res.status})`;
    try { message = JSON.parse(text).message || message; } catch (e) { /* not a Status */ }
    return { text: message, kind: "error" };
  }
  const url = URL.createObjectURL(new Blob([text], { type: "application/yaml" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = FILE;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken its copy once click() returns; the URL is only released later so
  // that a slow browser still finds it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  const count = res.headers.get("X-Kubeplay-Objects") || "0";
  return { text: `exported ${count} object(s) to ${FILE}: kubectl apply -f ${FILE} on a real cluster`, kind: "info" };
}
