"""What NetworkPolicies do to one connection, as a CNI that implements them (Calico, Cilium)
does: pure functions of the store, called where a connection reaches a pod
(engine/kubelet/network.py) and by the page's view of who may reach whom.

The rules (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
* a pod is isolated for ingress (egress) when some policy in its namespace selects it and lists
  Ingress (Egress) in policyTypes; a pod no policy isolates allows everything in that direction;
* an isolated pod allows a connection when some rule of some policy selecting it allows it: the
  rule's peers (none: any peer) and its ports (none: any port) both match;
* a peer is a podSelector (pods of the policy's namespace), a namespaceSelector (every pod of
  those namespaces), both in one peer (those pods in those namespaces), or an ipBlock (the
  address in `cidr` and in no `except`);
* a port is a number, a number range (`endPort`) or a name, resolved on the destination pod's
  containers (for egress too); protocol TCP unless given;
* both sides must agree: the source's egress and the destination's ingress. Replies belong to
  an allowed connection and pass (conntrack), so only the connection's first packet is judged.

hostNetwork pods are the node's, not the pod network's: policies neither select them nor match
them with pod selectors (their address is the node's, which only an ipBlock can name)."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from . import objects, resources as kinds
from .selectors import label_selector_matcher


@dataclass(frozen=True)
class Verdict:
    """allowed, or which side dropped the connection and the policies that isolate that side
    (none of whose rules allowed it)."""
    allowed: bool
    direction: str = ""                 # "egress" (the source's policies) | "ingress" (the destination's)
    policies: tuple[str, ...] = ()      # "ns/name" of the isolating policies

    def words(self) -> str:
        if self.allowed:
            return "allowed"
        names = ", ".join(p.split("/", 1)[1] for p in self.policies)
        return f"dropped by NetworkPolicy {names} ({self.direction})"


ALLOWED = Verdict(True)


def _spec(np: dict) -> dict:
    return np.get("spec") or {}


def _host_network(pod: dict | None) -> bool:
    return bool(pod is not None and (pod.get("spec") or {}).get("hostNetwork"))


def _types(np: dict) -> list[str]:
    spec = _spec(np)
    # what defaulting stores; kept here too so an object written around admission reads the same
    return spec.get("policyTypes") or (["Ingress"] + (["Egress"] if spec.get("egress") else []))


def policies_selecting(store, pod: dict, policy_type: str) -> list[dict]:
    """The policies of the pod's namespace that select it and have `policy_type` (Ingress or
    Egress): the pod is isolated in that direction when the list is not empty."""
    if pod is None or _host_network(pod):
        return []
    labels = objects.labels_of(pod)
    out = []
    for np in store.list(kinds.NETWORKPOLICY, objects.namespace_of(pod))[0]:
        if policy_type in _types(np) and label_selector_matcher(_spec(np).get("podSelector") or {})(labels):
            out.append(np)
    out.sort(key=objects.name_of)
    return out


def _namespace_labels(store, name: str) -> dict:
    ns = store.try_get(kinds.NAMESPACE, "", name)
    return objects.labels_of(ns) if ns is not None else {"kubernetes.io/metadata.name": name}


def _network(cidr: str):
    """A CIDR as Go's ParseCIDRSloppy reads it (IPv4 octets with leading zeros are decimal)."""
    addr, _, bits = str(cidr).partition("/")
    if "." in addr and ":" not in addr and all(o.isdigit() for o in addr.split(".")):
        addr = ".".join(str(int(octet)) for octet in addr.split("."))
    return ipaddress.ip_network(f"{addr}/{bits}", strict=False)


def _in_block(block: dict, ip: str) -> bool:
    try:
        addr = ipaddress.ip_address(ip)
        if addr not in _network(block.get("cidr") or ""):
            return False
        return not any(addr in _network(x) for x in block.get("except") or ())
    except ValueError:
        return False


def peer_matches(store, policy_ns: str, peer: dict, pod: dict | None, ip: str) -> bool:
    """Whether the other end (a pod, or only an address) is this peer."""
    if peer.get("ipBlock") is not None:
        return _in_block(peer["ipBlock"], ip)
    if pod is None or _host_network(pod):
        return False
    pod_sel, ns_sel = peer.get("podSelector"), peer.get("namespaceSelector")
    pod_ns = objects.namespace_of(pod)
    if ns_sel is None:
        if pod_ns != policy_ns:
            return False
    elif not label_selector_matcher(ns_sel)(_namespace_labels(store, pod_ns)):
        return False
    return pod_sel is None or label_selector_matcher(pod_sel)(objects.labels_of(pod))


def named_port(pod: dict | None, name: str, protocol: str) -> int | None:
    """A container port's number by name, as the destination pod declares it."""
    for c in (pod or {}).get("spec", {}).get("containers") or ():
        for p in c.get("ports") or ():
            if p.get("name") == name and (p.get("protocol") or "TCP") == protocol:
                return p.get("containerPort")
    return None


def port_matches(rule_port: dict, dest_pod: dict | None, port: int, protocol: str) -> bool:
    if (rule_port.get("protocol") or "TCP") != protocol:
        return False
    value = rule_port.get("port")
    if value is None:
        return True
    if isinstance(value, str):
        return named_port(dest_pod, value, protocol) == port
    end = rule_port.get("endPort")
    return value <= port <= end if end is not None else value == port


def _rule_allows(store, policy_ns: str, rule: dict, peers_key: str, peer_pod: dict | None, peer_ip: str,
                 dest_pod: dict | None, port: int, protocol: str) -> bool:
    ports = rule.get("ports") or ()
    if ports and not any(port_matches(p, dest_pod, port, protocol) for p in ports):
        return False
    peers = rule.get(peers_key) or ()
    return not peers or any(peer_matches(store, policy_ns, p, peer_pod, peer_ip) for p in peers)


def _side(store, pod: dict | None, policy_type: str, peer_pod: dict | None, peer_ip: str,
          dest_pod: dict | None, port: int, protocol: str) -> Verdict:
    isolating = policies_selecting(store, pod, policy_type) if pod is not None else []
    if not isolating:
        return ALLOWED
    key, peers_key = ("ingress", "from") if policy_type == "Ingress" else ("egress", "to")
    for np in isolating:
        for rule in _spec(np).get(key) or ():
            if _rule_allows(store, objects.namespace_of(np), rule, peers_key, peer_pod, peer_ip,
                            dest_pod, port, protocol):
                return ALLOWED
    return Verdict(False, key, tuple(objects.key_of(np) for np in isolating))


def evaluate(store, source: dict | None, source_ip: str, dest: dict | None, dest_ip: str, port: int,
             protocol: str = "TCP") -> Verdict:
    """The verdict on a new connection from `source` (a pod; None: not a pod) at `source_ip` to
    `dest` (the pod that would answer, after kube-proxy chose it; None: not a pod) at `dest_ip`
    on `port`: the source's egress first, then the destination's ingress."""
    out = _side(store, source, "Egress", dest, dest_ip, dest, port, protocol)
    if not out.allowed:
        return out
    return _side(store, dest, "Ingress", source, source_ip, dest, port, protocol)


# ---- the same rules in words, for the page -----------------------------------------------------

def _selector_words(sel: dict | None) -> str:
    if not sel or not (sel.get("matchLabels") or sel.get("matchExpressions")):
        return ""
    parts = [f"{k}={v}" for k, v in (sel.get("matchLabels") or {}).items()]
    for e in sel.get("matchExpressions") or ():
        op, key, vals = e.get("operator"), e.get("key"), ",".join(e.get("values") or ())
        parts.append({"In": f"{key} in ({vals})", "NotIn": f"{key} notin ({vals})", "Exists": f"{key}",
                      "DoesNotExist": f"!{key}"}.get(op, key))
    return ",".join(parts)


def peer_words(peer: dict) -> str:
    if peer.get("ipBlock") is not None:
        block = peer["ipBlock"]
        text = f"addresses in {block.get('cidr')}"
        return text + (f" except {', '.join(block['except'])}" if block.get("except") else "")
    pods = _selector_words(peer.get("podSelector"))
    pod_text = f"pods {pods}" if pods else "all pods"
    if peer.get("namespaceSelector") is None:
        return f"{pod_text} in this namespace"
    nss = _selector_words(peer["namespaceSelector"])
    return f"{pod_text} in namespaces {nss}" if nss else f"{pod_text} in all namespaces"


def port_words(ports) -> str:
    if not ports:
        return "on any port"
    texts = []
    for p in ports:
        proto = p.get("protocol") or "TCP"
        if p.get("port") is None:
            texts.append(f"any {proto} port")
        elif p.get("endPort") is not None:
            texts.append(f"{proto} {p['port']}-{p['endPort']}")
        else:
            texts.append(f"{proto} {p['port']}")
    return "on " + ", ".join(texts)


def rules_in_words(np: dict) -> list[dict]:
    """Each direction the policy isolates, with its rules in words, e.g.
    {"direction": "ingress", "rules": ["from pods app=frontend in this namespace on TCP 80"]}
    (no rules: everything in that direction is denied)."""
    out = []
    for ptype in _types(np):
        key, peers_key, word = ("ingress", "from", "from") if ptype == "Ingress" else ("egress", "to", "to")
        rules = []
        for rule in _spec(np).get(key) or ():
            peers = rule.get(peers_key) or ()
            who = " or ".join(peer_words(p) for p in peers) if peers else "anywhere"
            rules.append(f"{word} {who} {port_words(rule.get('ports'))}")
        out.append({"direction": key, "rules": rules})
    return out


def pod_view(store, pod: dict) -> dict:
    """The policies that select a pod, per direction, in words: what the page shows for it.
    {"ingress": {"isolated": bool, "policies": [{"name", "rules": [...]}]}, "egress": {...}}"""
    view = {}
    for ptype, key in (("Ingress", "ingress"), ("Egress", "egress")):
        pols = policies_selecting(store, pod, ptype)
        entries = []
        for np in pols:
            rules: list[str] = next((r["rules"] for r in rules_in_words(np) if r["direction"] == key), [])
            entries.append({"name": objects.name_of(np), "rules": rules})
        view[key] = {"isolated": bool(pols), "policies": entries}
    return view
