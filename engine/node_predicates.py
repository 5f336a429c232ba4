"""Predicates on the API types that several components share, as k8s.io/component-helpers and
k8s.io/api's helpers are shared upstream: the scheduler, the DaemonSet controller (which must
agree with the scheduler on where a daemon pod fits) and the taint-eviction controller."""
from __future__ import annotations


def tolerates(toleration: dict, taint: dict) -> bool:
    """Toleration.ToleratesTaint (k/api core/v1 toleration.go)."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if key and key != taint.get("key"):
        return False
    op = toleration.get("operator") or "Equal"
    if op == "Exists":
        return True
    return op == "Equal" and (toleration.get("value") or "") == (taint.get("value") or "")


def untolerated_taint(taints, tolerations, effects) -> dict | None:
    """v1helper.FindMatchingUntoleratedTaint restricted to `effects`."""
    for taint in taints or ():
        if taint.get("effect") not in effects:
            continue
        if not any(tolerates(t, taint) for t in tolerations or ()):
            return taint
    return None


def requirement_matches(req: dict, value, present: bool) -> bool:
    """One NodeSelectorRequirement against a label (or field) value."""
    op, vals = req.get("operator"), req.get("values") or []
    if op == "In":
        return present and value in vals
    if op == "NotIn":
        return not present or value not in vals
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt"):
        try:
            have, want = int(value), int(vals[0])
        except (TypeError, ValueError, IndexError):
            return False
        return have > want if op == "Gt" else have < want
    return False


def term_matches(term: dict, labels: dict, name: str) -> bool:
    """A NodeSelectorTerm: every expression on labels and every field (only metadata.name)."""
    exprs = term.get("matchExpressions") or ()
    fields = term.get("matchFields") or ()
    if not exprs and not fields:
        return False                 # an empty term selects no objects
    for e in exprs:
        if not requirement_matches(e, labels.get(e.get("key")), e.get("key") in labels):
            return False
    for f in fields:
        if f.get("key") != "metadata.name" or not requirement_matches(f, name, True):
            return False
    return True


def required_node_affinity_matches(pod_spec: dict, labels: dict, name: str) -> bool:
    """nodeaffinity.GetRequiredNodeAffinity(pod).Match(node): nodeSelector AND required terms (ORed)."""
    for k, v in (pod_spec.get("nodeSelector") or {}).items():
        if labels.get(k) != v:
            return False
    req = (((pod_spec.get("affinity") or {}).get("nodeAffinity") or {})
           .get("requiredDuringSchedulingIgnoredDuringExecution"))
    if req is None:
        return True
    return any(term_matches(t, labels, name) for t in req.get("nodeSelectorTerms") or ())
