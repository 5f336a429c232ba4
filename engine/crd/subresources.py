"""Reading and writing custom objects by the simple JSONPaths CRDs use: the scale
subresource's specReplicasPath/statusReplicasPath/labelSelectorPath and the
additionalPrinterColumns' jsonPath (`.spec.cronSpec`, `.status.conditions[0].type`,
`.metadata.labels.app`, `.spec.items[*].name`)."""
from __future__ import annotations

import re

_STEP = re.compile(r"\.([^.\[\]]+)|\[(\*|-?\d+|'[^']*'|\"[^\"]*\")\]")


def _steps(path: str) -> list[str | int]:
    path = path.strip()
    if path.startswith("{") and path.endswith("}"):
        path = path[1:-1]
    if path.startswith("$"):
        path = path[1:]
    out: list[str | int] = []
    pos = 0
    while pos < len(path):
        m = _STEP.match(path, pos)
        if not m:
            break
        if m.group(1) is not None:
            out.append(m.group(1))
        else:
            idx = m.group(2)
            if idx == "*":
                out.append("*")
            elif idx[0] in "'\"":
                out.append(idx[1:-1])
            else:
                out.append(int(idx))
        pos = m.end()
    return out


def read(obj, path: str) -> list:
    """The values `path` finds in `obj` (none when it leads nowhere)."""
    found = [obj]
    for step in _steps(path):
        nxt = []
        for v in found:
            if step == "*":
                if isinstance(v, list):
                    nxt.extend(v)
                elif isinstance(v, dict):
                    nxt.extend(v.values())
            elif isinstance(step, int):
                if isinstance(v, list) and -len(v) <= step < len(v):
                    nxt.append(v[step])
            elif isinstance(v, dict) and step in v:
                nxt.append(v[step])
        found = nxt
    return found


def read_one(obj, path: str):
    values = read(obj, path)
    return values[0] if values else None


def write(obj: dict, path: str, value) -> dict:
    """A copy of `obj` (copied along the path) with `value` at a `.a.b.c` path."""
    steps = [s for s in _steps(path) if isinstance(s, str)]
    out = dict(obj)
    cur = out
    for step in steps[:-1]:
        nxt = cur.get(step)
        nxt = dict(nxt) if isinstance(nxt, dict) else {}
        cur[step] = nxt
        cur = nxt
    if steps:
        cur[steps[-1]] = value
    return out


# ---- the scale subresource ----------------------------------------------------------------------

def _scale_spec(crd: dict | None, version: str) -> dict:
    from .definitions import version_of
    subs = version_of(crd, version).get("subresources") if crd else None
    scale = subs.get("scale") if isinstance(subs, dict) else None
    return scale if isinstance(scale, dict) else {}


def scale_of(crd: dict | None, obj: dict) -> dict:
    """The autoscaling/v1 Scale of a custom object (the CRD's scale paths): spec.replicas from
    specReplicasPath, status.replicas from statusReplicasPath (0 when unset), status.selector
    from labelSelectorPath (a string, as the object holds it)."""
    version = str(obj.get("apiVersion", "")).rpartition("/")[2]
    paths = _scale_spec(crd, version)
    md = obj.get("metadata") or {}
    spec_replicas = read_one(obj, str(paths.get("specReplicasPath", ".spec.replicas")))
    status_replicas = read_one(obj, str(paths.get("statusReplicasPath", ".status.replicas")))
    status: dict = {"replicas": status_replicas if isinstance(status_replicas, int) else 0}
    if paths.get("labelSelectorPath"):
        sel = read_one(obj, str(paths["labelSelectorPath"]))
        if isinstance(sel, str) and sel:
            status["selector"] = sel
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {"name": md.get("name"), "namespace": md.get("namespace"), "uid": md.get("uid"),
                         "resourceVersion": md.get("resourceVersion"),
                         "creationTimestamp": md.get("creationTimestamp")},
            "spec": {"replicas": spec_replicas if isinstance(spec_replicas, int) else 0},
            "status": status}


def replicas_merge(crd: dict | None, version: str, replicas: int) -> dict:
    """The merge patch that sets a custom object's replicas at its specReplicasPath."""
    return write({}, str(_scale_spec(crd, version).get("specReplicasPath", ".spec.replicas")), replicas)


_OPERATORS = {"=": "In", "==": "In", "!=": "NotIn", "in": "In", "notin": "NotIn", "exists": "Exists",
              "!": "DoesNotExist"}


def scale_target(crd: dict | None, obj: dict) -> dict:
    """A custom object as the HorizontalPodAutoscaler controller reads a scale target: its
    scale's replicas at spec.replicas, its scale's selector string as a LabelSelector at
    spec.selector (None when it has none, or one that does not parse)."""
    from .. import errors
    from ..selectors import parse_label_selector
    scale = scale_of(crd, obj)
    selector = None
    text = scale["status"].get("selector")
    if text:
        try:
            reqs = parse_label_selector(text)
        except errors.ApiError:
            reqs = None
        if reqs is not None:
            selector = {"matchExpressions": [{"key": key, "operator": _OPERATORS.get(op, "In"), "values": list(values)}
                                             for key, op, values in reqs]}
    return {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "metadata": obj.get("metadata") or {},
            "spec": {"replicas": scale["spec"]["replicas"], "selector": selector}}
