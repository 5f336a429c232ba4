"""The in-page terminal's `kubectl describe networkpolicy`, as k/kubectl pkg/describe
(describeNetworkPolicy, describeNetworkPolicySpec, printNetworkPolicySpecIngressFrom/EgressTo):
the pod selector, each direction's rules (ports, then peers), the policy types."""
from __future__ import annotations

import datetime as _dt

from engine import objects
from webapp.api.printers import format_label_selector
from . import describers
from .cli import FRAME_SHIFT, Ctx
from .describe import Writer, annotations_multiline, labels_multiline


def _created_on(ts: str | None) -> str:
    """metav1.Time printed with %s: Go's time.Time.String() in UTC."""
    t = objects.parse_time(ts)
    if t is None:
        return "0001-01-01 00:00:00 +0000 UTC"
    t -= FRAME_SHIFT.get()
    return _dt.datetime.fromtimestamp(t, tz=_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S +0000 UTC")


def _rules(w: Writer, rules: list, peers_key: str, direction: str) -> None:
    indent = "    "
    if not rules:
        w.write(0, f"{indent}<none> (Selected pods are isolated for {direction} connectivity)\n")
        return
    title = "From" if peers_key == "from" else "To"
    for i, rule in enumerate(rules):
        ports = rule.get("ports") or []
        if not ports:
            w.write(0, f"{indent}To Port: <any> (traffic allowed to all ports)\n")
        for port in ports:
            proto = port.get("protocol") or "TCP"
            value = port.get("port")
            value = "<nil>" if value is None else value
            if port.get("endPort") is not None:
                w.write(0, f"{indent}To Port Range: {value}-{port['endPort']}/{proto}\n")
            else:
                w.write(0, f"{indent}To Port: {value}/{proto}\n")
        peers = rule.get(peers_key) or []
        if not peers:
            what = "source" if peers_key == "from" else "destination"
            w.write(0, f"{indent}{title}: <any> (traffic not restricted by {what})\n")
        for peer in peers:
            w.write(0, f"{indent}{title}:\n")
            pods, nss, block = peer.get("podSelector"), peer.get("namespaceSelector"), peer.get("ipBlock")
            if nss is not None:
                w.write(1, f"{indent}NamespaceSelector: {format_label_selector(nss)}\n")
            if pods is not None:
                w.write(1, f"{indent}PodSelector: {format_label_selector(pods)}\n")
            if pods is None and nss is None and block is not None:
                w.write(1, f"{indent}IPBlock:\n")
                w.write(2, f"{indent}CIDR: {block.get('cidr', '')}\n")
                w.write(2, f"{indent}Except: {', '.join(block.get('except') or [])}\n")
        if i != len(rules) - 1:
            w.write(0, f"{indent}----------\n")


def describe_network_policy(ctx: Ctx, np: dict) -> str:
    w = Writer()
    md, spec = np.get("metadata") or {}, np.get("spec") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace')}\n")
    w.write(0, f"Created on:\t{_created_on(md.get('creationTimestamp'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, "Spec:\n")
    w.write(1, "PodSelector: ")
    sel = spec.get("podSelector") or {}
    if not sel.get("matchLabels") and not sel.get("matchExpressions"):
        w.write(2, "<none> (Allowing the specific traffic to all pods in this namespace)\n")
    else:
        w.write(2, f"{format_label_selector(sel)}\n")
    types = spec.get("policyTypes") or []
    for ptype, key, peers_key in (("Ingress", "ingress", "from"), ("Egress", "egress", "to")):
        if ptype in types:
            w.write(1, f"Allowing {key} traffic:\n")
            _rules(w, spec.get(key) or [], peers_key, key)
        else:
            w.write(1, f"Not affecting {key} traffic\n")
    w.write(1, f"Policy Types: {', '.join(types)}\n")
    return w.text()


describers.DESCRIBERS["NetworkPolicy"] = describe_network_policy
