// The Services panel: one card per Service (name, type, clusterIP, ports with nodePort) and a
// chip per endpoint it routes to, read from its EndpointSlices — green while the endpoint is
// ready, grey while not ready, striped while terminating — updated live as pods become ready,
// stop being ready or go away. Hovering a card highlights its pods in the cluster view; the
// Service's name button pins that highlight; a chip selects its pod.

import { h, setText, setData, reducedMotion } from "../dom.js";
import { keyOf } from "../model.js";
import { isSystem } from "./controlplane.js";

const SERVICE_NAME = "kubernetes.io/service-name";
const ENTER = [{ opacity: 0, transform: "scale(.3)" }, { opacity: 1, transform: "scale(1)" }];
const FLASH = [{ transform: "scale(1.3)" }, { transform: "scale(1)" }];
const LEAVE = [{ opacity: 1 }, { opacity: 0, transform: "scale(.5)" }];
// Chips drawn per Service; beyond that a "+N more" says how many (the count line has them all).
const MAX_CHIPS = 60;
const COMPACT_OVER = 12;

/** "80→8080/TCP", "http 80→8080/TCP nodePort 30080" */
export function portText(p) {
  const target = p.targetPort !== undefined && p.targetPort !== p.port ? `→${p.targetPort}` : "";
  return `${p.name ? p.name + " " : ""}${p.port}${target}/${p.protocol || "TCP"}` +
         (p.nodePort ? ` nodePort ${p.nodePort}` : "");
}

/** The endpoints of a Service's slices, one per pod (or address), sorted by name:
 *  [{name, uid, ready, terminating, serving, addresses, node}] */
export function endpointsOf(slices) {
  const byKey = new Map();
  for (const slice of slices) {
    for (const ep of slice.endpoints || []) {
      const ref = ep.targetRef || {};
      const addrs = ep.addresses || [];
      const key = ref.uid || ref.name || addrs.join(",");
      if (!key || byKey.has(key)) continue;
      const c = ep.conditions || {};
      byKey.set(key, {
        name: ref.name || addrs[0] || "?", uid: ref.uid || null,
        ready: c.ready !== false,              // unset means ready (discovery/v1)
        serving: c.serving !== false, terminating: c.terminating === true,
        addresses: addrs, node: ep.nodeName || "",
      });
    }
  }
  return [...byKey.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export class ServicesPanel {
  constructor(root, { onSelect, onHighlight }) {
    this.root = root;
    this.list = root.querySelector("#service-list");
    this.empty = root.querySelector("#services-empty");
    this.onSelect = onSelect;          // ({kind: "Pod", uid})
    this.onHighlight = onHighlight;    // ("hover" | "pin", podUids | null)
    this.cards = new Map();            // "ns/name" -> card
    this.slices = new Map();           // "ns/name" -> Map(slice uid -> slice)
    this.sliceKey = new Map();         // slice uid -> "ns/name" it was filed under
    this.hovered = null;               // card key under the pointer
    this.pinned = null;                // card key whose highlight is pinned
  }

  draw(dirty) {
    const touched = new Set();
    let changed = false;
    for (const [uid, d] of dirty) {
      const obj = d.next || d.last || d.prev;
      if (!obj || isSystem(obj)) continue;
      if (obj.kind === "Service") {
        changed = true;
        const key = keyOf(obj);
        if (d.next) this._upsert(key, d.next);
        else this._remove(key, uid);
        touched.add(key);
      } else if (obj.kind === "EndpointSlice") {
        const was = this.sliceKey.get(uid);
        if (was) {
          this.slices.get(was)?.delete(uid);
          touched.add(was);
        }
        this.sliceKey.delete(uid);
        const name = d.next && (d.next.metadata.labels || {})[SERVICE_NAME];
        if (name) {
          const key = `${d.next.metadata.namespace}/${name}`;
          if (!this.slices.has(key)) this.slices.set(key, new Map());
          this.slices.get(key).set(uid, d.next);
          this.sliceKey.set(uid, key);
          touched.add(key);
        }
      }
    }
    for (const key of touched) {
      const card = this.cards.get(key);
      if (card) this._endpoints(card);
      if (this.slices.get(key)?.size === 0) this.slices.delete(key);
    }
    if (changed) this.empty.hidden = this.cards.size > 0;
  }

  _upsert(key, svc) {
    let c = this.cards.get(key);
    if (!c) {
      const parts = {
        name: h("button", { type: "button", class: "svc-name", "aria-pressed": "false",
                            title: "highlight the pods this Service routes to",
                            onclick: () => this._pin(key) }),
        type: h("span", { class: "svc-type" }), ip: h("span", { class: "svc-ip" }),
        ports: h("span", { class: "svc-ports" }),
        count: h("span", { class: "svc-count" }),
        endpoints: h("div", { class: "svc-endpoints", role: "list", "aria-label": "endpoints" }),
        none: h("p", { class: "svc-none hint" }),
        more: h("span", { class: "svc-more" }),
      };
      const el = h("div", { class: "service", dataset: { service: key },
                            onmouseenter: () => this._hover(key), onmouseleave: () => this._hover(null) },
        h("div", { class: "svc-head" }, parts.name, parts.type, parts.ip, parts.ports),
        h("div", { class: "svc-eps" }, parts.count, parts.endpoints, parts.more), parts.none);
      c = { key, el, parts, chips: new Map(), uids: [] };
      this.cards.set(key, c);
      // Cards in namespace/name order.
      const after = [...this.cards.keys()].sort().find((k) => k > key && this.cards.get(k).el.isConnected);
      this.list.insertBefore(el, after ? this.cards.get(after).el : null);
    }
    c.svc = svc;
    c.uid = svc.metadata.uid;
    const spec = svc.spec || {};
    const type = spec.type || "ClusterIP";
    setText(c.parts.name, keyOf(svc));
    c.parts.name.setAttribute("aria-label", `Service ${keyOf(svc)}: highlight its pods`);
    setText(c.parts.type, type);
    setText(c.parts.ip, type === "ExternalName" ? (spec.externalName || "")
      : spec.clusterIP === "None" ? "headless (no clusterIP)" : (spec.clusterIP || "no clusterIP yet"));
    setText(c.parts.ports, (spec.ports || []).map(portText).join(" · ") || "no ports");
    setData(c.el, "type", type);
    setData(c.el, "clusterIp", spec.clusterIP || "");
    c.parts.ip.title = "clusterIP";
    this._endpoints(c);
  }

  _remove(key, uid) {
    const c = this.cards.get(key);
    if (!c || c.uid !== uid) return;
    c.el.remove();
    this.cards.delete(key);
    if (this.pinned === key) this._pin(key);
    if (this.hovered === key) this._hover(null);
  }

  _endpoints(c) {
    const eps = endpointsOf([...(this.slices.get(c.key) || new Map()).values()]);
    const animate = !reducedMotion() && document.visibilityState === "visible";
    const keep = new Set();
    let prev = null;
    for (const ep of eps.slice(0, MAX_CHIPS)) {
      const id = ep.uid || ep.name;
      keep.add(id);
      let chip = c.chips.get(id);
      const state = ep.terminating ? "terminating" : ep.ready ? "ready" : "not-ready";
      if (!chip) {
        chip = h("button", { type: "button", class: "endpoint", dataset: { endpoint: ep.name },
                             onclick: () => ep.uid && this.onSelect({ kind: "Pod", uid: ep.uid }) },
          ep.name);
        c.chips.set(id, chip);
        if (animate && chip.animate) chip.animate(ENTER, { duration: 400, easing: "ease-out" });
      } else if (chip.dataset.state !== state && animate && chip.animate) {
        chip.animate(FLASH, { duration: 350, easing: "ease-out" });
      }
      setData(chip, "ready", ep.ready);
      setData(chip, "terminating", ep.terminating);
      setData(chip, "state", state);
      chip.className = `endpoint ${state}`;
      const port = ((c.svc.spec || {}).ports || [])[0];
      chip.setAttribute("aria-label", `${ep.name} ${state.replace("-", " ")}`);
      chip.title = `${ep.name}: ${ep.addresses.join(", ")}${port ? ":" + (port.targetPort ?? port.port) : ""}` +
                   `${ep.node ? " on " + ep.node : ""} — ${state.replace("-", " ")}` +
                   (ep.terminating && ep.serving ? " (still serving)" : "");
      // Keep chips in name order.
      const want = prev ? prev.nextSibling : c.parts.endpoints.firstChild;
      if (want !== chip) c.parts.endpoints.insertBefore(chip, want);
      prev = chip;
    }
    for (const [id, chip] of c.chips) {
      if (keep.has(id)) continue;
      c.chips.delete(id);
      chip.dataset.gone = chip.dataset.endpoint;
      delete chip.dataset.endpoint;
      chip.disabled = true;
      if (animate && chip.animate) {
        const a = chip.animate(LEAVE, { duration: 400, fill: "forwards" });
        a.onfinish = a.oncancel = () => chip.remove();
      } else {
        chip.remove();
      }
    }
    setText(c.parts.more, eps.length > MAX_CHIPS ? `+${eps.length - MAX_CHIPS} more` : "");
    // Many endpoints: small squares (the name is in each one's tooltip and accessible name).
    c.el.classList.toggle("compact", eps.length > COMPACT_OVER);
    const ready = eps.filter((e) => e.ready && !e.terminating).length;
    setText(c.parts.count, `${ready}/${eps.length} ready`);
    setData(c.el, "ready", ready);
    setData(c.el, "endpoints", eps.length);
    const spec = c.svc.spec || {};
    const sel = spec.selector || {};
    const none = eps.length ? "" : spec.type === "ExternalName" ? "no endpoints: DNS alias only"
      : !Object.keys(sel).length ? "no selector: endpoints are managed by hand"
      : `no pod matches ${Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(",")}`;
    c.parts.none.hidden = !none;
    setText(c.parts.none, none);
    c.uids = eps.map((e) => e.uid).filter(Boolean);
    if (this.hovered === c.key) this.onHighlight("hover", c.uids);
    if (this.pinned === c.key) this.onHighlight("pin", c.uids);
  }

  _hover(key) {
    this.hovered = key;
    const c = key && this.cards.get(key);
    this.onHighlight("hover", c ? c.uids : null);
  }

  _pin(key) {
    const prev = this.pinned && this.cards.get(this.pinned);
    if (prev) {
      prev.parts.name.setAttribute("aria-pressed", "false");
      prev.el.classList.remove("pinned");
    }
    this.pinned = this.pinned === key ? null : key;
    const c = this.pinned && this.cards.get(this.pinned);
    if (c) {
      c.parts.name.setAttribute("aria-pressed", "true");
      c.el.classList.add("pinned");
    }
    this.onHighlight("pin", c ? c.uids : null);
  }
}
