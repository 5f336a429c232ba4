// A request between pods, drawn as it happens: the stream's "requests" messages (engine/traffic.py
// — client pod, Service, the endpoint kube-proxy chose, status) light up the client pod, the
// Service's card and its endpoint chip, and the serving pod, joined by a short-lived arrow
// client → Service → endpoint over the map. A refused or timed-out request draws the arrow to the
// Service only, in red; one a NetworkPolicy dropped (`item.policy`) is drawn to the pod it was
// meant for, red, with the verdict written beside that pod ("dropped by NetworkPolicy …"). Everything fades after FLASH_MS; the latest few stay readable in
// `recent` (tests and the benchmark read it).
// A request through the ingress controller (`item.ingress`: the route it took) is drawn through
// the Ingress's card: client → Ingress, then Ingress → the backend Service → the pod that served
// it (the controller's own pod and Service live in the control-plane strip, not on the map).

const FLASH_MS = 1800;
const DROPPED_MS = 4000;      // a dropped request's verdict stays long enough to read
const SVG_NS = "http://www.w3.org/2000/svg";

function cssEscape(text) {
  return window.CSS && CSS.escape ? CSS.escape(text) : String(text).replace(/["\\]/g, "\\$&");
}

function visible(el) {
  if (!el) return false;
  const r = el.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (x < 0 || y < 0 || x > window.innerWidth || y > window.innerHeight) return false;
  const top = document.elementFromPoint(x, y);
  return !!top && (el === top || el.contains(top));
}

export class TrafficView {
  constructor(root = document.body) {
    this.root = root;
    this.recent = [];
    this.svg = document.createElementNS(SVG_NS, "svg");
    this.svg.setAttribute("class", "request-paths");
    this.svg.setAttribute("aria-hidden", "true");
    root.appendChild(this.svg);
  }

  onRequests(items) {
    for (const item of items) this._draw(item);
  }

  _pod(key) {
    return key ? document.querySelector(`[data-pod="${cssEscape(key)}"]`) : null;
  }

  _draw(item) {
    this.recent.push(item);
    if (this.recent.length > 20) this.recent.shift();
    const client = this._pod(item.client);
    const ing = item.ingress || null;
    const ingCard = ing && ing.ingress
      ? document.querySelector(`.ingress-card[data-ingress="${cssEscape(ing.ingress)}"]`) : null;
    // the controller connects to the backend's pod directly: the Service is the route's, not the hop's
    const serviceKey = item.service || (ing && ing.service && ing.ingress ? `${ing.ingress.split("/")[0]}/${ing.service}` : null);
    const card = serviceKey ? document.querySelector(`.service[data-service="${cssEscape(serviceKey)}"]`) : null;
    const server = this._pod(item.endpoint);
    const chip = card && item.endpoint
      ? card.querySelector(`[data-endpoint="${cssEscape(item.endpoint.split("/")[1])}"]`) : null;
    const failed = item.status === null || item.status === undefined;
    const marks = [[client, "req-client"], [ingCard, "req-ingress"], [card, "req-service"], [chip, "req-chosen"],
                   [server, "req-endpoint"]];
    if (item.policy && server) marks.push([server, "req-dropped"]);
    for (const [el, cls] of marks) {
      if (!el) continue;
      el.classList.add(cls);
      if (failed) el.classList.add("req-failed");
    }
    // A Service card scrolled away or under the shell console: the arrow goes straight to the pod.
    const points = [client, visible(ingCard) ? ingCard : null, visible(card) ? card : null, server].filter(Boolean).map((el) => {
      const r = el.getBoundingClientRect();
      return [r.left + r.width / 2 + window.scrollX, r.top + r.height / 2 + window.scrollY];
    });
    let path = null;
    if (points.length >= 2) {
      path = document.createElementNS(SVG_NS, "polyline");
      path.setAttribute("points", points.map((p) => p.join(",")).join(" "));
      path.setAttribute("class", failed ? "request-path failed" : "request-path");
      path.dataset.client = item.client || "";
      path.dataset.service = serviceKey || "";
      path.dataset.ingress = (ing && ing.ingress) || "";
      path.dataset.endpoint = item.endpoint || "";
      path.dataset.status = item.status === null || item.status === undefined ? item.error || "" : String(item.status);
      if (item.policy) path.dataset.policy = item.policy;
      const doc = document.documentElement;
      this.svg.setAttribute("width", String(doc.scrollWidth));
      this.svg.setAttribute("height", String(doc.scrollHeight));
      this.svg.appendChild(path);
    }
    const note = item.policy ? this._note(server || chip || card || client, item) : null;
    setTimeout(() => {
      for (const [el, cls] of marks) if (el) el.classList.remove(cls, "req-failed");
      if (path) path.remove();
      if (note) note.remove();
    }, item.policy ? DROPPED_MS : FLASH_MS);
  }

  /** The verdict on a dropped request, written beside the pod it was meant for. */
  _note(el, item) {
    if (!el) return null;
    const r = el.getBoundingClientRect();
    const note = document.createElement("div");
    note.className = "request-dropped";
    note.dataset.client = item.client || "";
    note.dataset.endpoint = item.endpoint || "";
    note.textContent = `${item.client} → ${item.target}: ${item.policy}`;
    note.style.left = `${Math.max(4, Math.min(r.left + window.scrollX, window.scrollX + window.innerWidth - 320))}px`;
    note.style.top = `${r.bottom + window.scrollY + 4}px`;
    this.root.appendChild(note);
    return note;
  }
}
