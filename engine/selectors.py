"""Label and field selectors: parse the query-string forms and match objects.

Label selector syntax as in k8s.io/apimachinery pkg/labels: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
`a notin (x)`, `a`, `!a`, joined by commas. Field selectors support `=`, `==`, `!=` on the
fields the apiserver indexes for each kind (metadata.name, metadata.namespace, spec.nodeName,
status.phase, involvedObject.*, ...).
"""
from __future__ import annotations

import re
from typing import Callable

from . import errors

Requirement = tuple[str, str, tuple[str, ...]]      # (key, op, values); op in =, !=, in, notin, exists, !


_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_PREFIX = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def _check_key(key: str) -> None:
    prefix, _, name = key.rpartition("/")
    why = None
    if len(name) > 63:
        why = "name part must be no more than 63 characters"
    elif not _NAME.fullmatch(name):
        why = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
               "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
               "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
    elif prefix and (len(prefix) > 253 or not _PREFIX.fullmatch(prefix)):
        why = "prefix part must be a lowercase RFC 1123 subdomain"
    if why:
        raise errors.BadRequest(f'unable to parse requirement: <nil>: Invalid value: "{key}": {why}')


def _check_value(key: str, value: str) -> None:
    if value and (len(value) > 63 or not _NAME.fullmatch(value)):
        raise errors.BadRequest(f'unable to parse requirement: values[0][{key}]: Invalid value: "{value}": '
                                "a valid label must be an empty string or consist of alphanumeric characters, "
                                "'-', '_' or '.', and must start and end with an alphanumeric character")


def parse_label_selector(s: str | None) -> list[Requirement]:
    reqs = _parse_label_selector(s)
    for key, _, vals in reqs:
        _check_key(key)
        for v in vals:
            _check_value(key, v)
    return reqs


def _parse_label_selector(s: str | None) -> list[Requirement]:
    if not s:
        return []
    reqs: list[Requirement] = []
    for part in _split_top(s):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)", part)
        if m:
            vals = tuple(v.strip() for v in m.group(3).split(",") if v.strip())
            reqs.append((m.group(1), m.group(2), vals))
            continue
        m = re.fullmatch(r"([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=(),]*)", part)
        if m:
            op = "!=" if m.group(2) == "!=" else "="
            reqs.append((m.group(1), op, (m.group(3),)))
            continue
        m = re.fullmatch(r"!\s*([^\s!=()]+)", part)
        if m:
            reqs.append((m.group(1), "!", ()))
            continue
        if re.fullmatch(r"[^\s!=(),]+", part):
            reqs.append((part, "exists", ()))
            continue
        raise errors.BadRequest(f"unable to parse requirement: found '{part}', expected: identifier")
    return reqs


def _split_top(s: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    out: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def matches_requirements(labels: dict, reqs: list[Requirement]) -> bool:
    for key, op, vals in reqs:
        present = key in labels
        v = labels.get(key)
        if op == "=" and (not present or v != vals[0]):
            return False
        if op == "!=" and present and v == vals[0]:
            return False
        if op == "in" and (not present or v not in vals):
            return False
        if op == "notin" and present and v in vals:
            return False
        if op == "exists" and not present:
            return False
        if op == "!" and present:
            return False
    return True


def label_selector_matcher(sel: dict | None) -> Callable[[dict], bool]:
    """A metav1.LabelSelector as a predicate on a labels map. nil matches nothing; {} everything."""
    if sel is None:
        return lambda labels: False
    ml = sel.get("matchLabels") or {}
    exprs = sel.get("matchExpressions") or []
    ml_items = tuple(ml.items())

    def match(labels: dict) -> bool:
        for k, v in ml_items:
            if labels.get(k) != v:
                return False
        for e in exprs:
            key, op, vals = e.get("key"), e.get("operator"), e.get("values") or []
            if op == "In" and labels.get(key) not in vals:
                return False
            if op == "NotIn" and key in labels and labels[key] in vals:
                return False
            if op == "Exists" and key not in labels:
                return False
            if op == "DoesNotExist" and key in labels:
                return False
        return True
    return match


def selector_to_string(sel: dict | None) -> str:
    """The selector as text, requirements sorted by key (labels.Selector.String())."""
    if not sel:
        return ""
    parts = [(k, f"{k}={v}") for k, v in (sel.get("matchLabels") or {}).items()]
    for e in sel.get("matchExpressions") or []:
        op, key, vals = e.get("operator"), e.get("key"), sorted(e.get("values") or [])
        text = {"In": f"{key} in ({','.join(vals)})", "NotIn": f"{key} notin ({','.join(vals)})",
                "Exists": key, "DoesNotExist": f"!{key}"}.get(op)
        if text:
            parts.append((key, text))
    return ",".join(t for _, t in sorted(parts, key=lambda p: p[0]))


# ---- field selectors -----------------------------------------------------------------------

FieldReq = tuple[str, str, str]   # (field, op "=" | "!=", value)


def parse_field_selector(s: str | None) -> list[FieldReq]:
    if not s:
        return []
    out = []
    for part in s.split(","):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"([^=!]+)(==|=|!=)(.*)", part)
        if not m:
            raise errors.BadRequest(f'invalid selector: \'{s}\'; can\'t understand \'{part}\'')
        out.append((m.group(1).strip(), "!=" if m.group(2) == "!=" else "=", m.group(3).strip()))
    return out


def field_value(obj: dict, path: str) -> str:
    if path == "status.successful":          # a Job's (JobToSelectableFields): succeeded, 0 if unset
        return str(int((obj.get("status") or {}).get("succeeded") or 0))
    if path == "source":                     # an Event's (EventToSelectableFields): source.component,
        source = obj.get("source")           # "" for the events.k8s.io recorder's (the scheduler's)
        return str(source.get("component") or "") if isinstance(source, dict) else ""
    cur: object = obj
    for p in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(p)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def matches_fields(obj: dict, reqs: list[FieldReq]) -> bool:
    for path, op, val in reqs:
        actual = field_value(obj, path)
        if (actual == val) != (op == "="):
            return False
    return True


# Fields the apiserver accepts in fieldSelector per resource (others are a 400 as upstream).
SUPPORTED_FIELDS: dict[str, set[str]] = {
    "pods": {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
             "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"},
    "events": {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
               "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
               "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"},
    "nodes": {"spec.unschedulable"},
    "namespaces": {"status.phase"},
    "replicasets": {"status.replicas"},
    "jobs": {"status.successful"},
}


def check_field_selector(resource: str, kind: str, reqs: list[FieldReq]) -> None:
    allowed = {"metadata.name", "metadata.namespace"} | SUPPORTED_FIELDS.get(resource, set())
    for path, _, _ in reqs:
        if path not in allowed:
            raise errors.BadRequest(
                f'field label not supported: {path}' if resource not in ("pods", "events")
                else f'"{path}" is not a known field selector: only "{", ".join(sorted(allowed))}"')
