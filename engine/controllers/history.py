"""ControllerRevision history (k/k pkg/controller/history), shared by the StatefulSet and DaemonSet
controllers: how a pod template becomes a revision (its patch and its hash), and the order of
revisions. Also the FNV hashes and Go-compatible JSON the hashes are computed over."""
from __future__ import annotations

import json

from .. import objects

# k8s.io/api apps/v1 types.go: StatefulSetRevisionLabel / DefaultDaemonSetUniqueLabelKey
REVISION_LABEL = "controller-revision-hash"
# pkg/controller/history: the label every ControllerRevision made by NewControllerRevision carries.
HISTORY_HASH_LABEL = "controller.kubernetes.io/hash"


def go_json(value) -> bytes:
    """What Go's json.Marshal writes for a map[string]interface{}: keys sorted, compact, UTF-8,
    with <, >, & and U+2028/2029 escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text.encode("utf-8")


def fnv32(data: bytes) -> int:
    """hash/fnv New32 (FNV-1)."""
    h = 0x811C9DC5
    for b in data:
        h = (h * 0x01000193) & 0xFFFFFFFF
        h ^= b
    return h


def fnv32a(data: bytes) -> int:
    """hash/fnv New32a (FNV-1a)."""
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def hash_revision_data(data: dict, collision_count: int | None) -> str:
    """history.HashControllerRevision: FNV-1 of Data.Raw, then the collision count as decimal text,
    rendered through SafeEncodeString."""
    raw = go_json(data)
    if collision_count is not None:
        raw += str(int(collision_count)).encode()
    return objects.safe_encode(str(fnv32(raw)))


def template_patch(template: dict | None) -> dict:
    """getPatch (statefulset and daemon): a strategic-merge patch that replaces spec.template."""
    tpl = objects.clone(template or {})
    tpl["$patch"] = "replace"
    return {"spec": {"template": tpl}}


def template_from_patch(data: dict | None) -> dict:
    """ApplyRevision, reduced to what a revision stores: the pod template it replaces."""
    tpl = objects.clone(((data or {}).get("spec") or {}).get("template") or {})
    tpl.pop("$patch", None)
    return tpl


def revision_sort_key(cr: dict):
    """history.SortControllerRevisions: by revision, then creationTimestamp, then name."""
    return (int(cr.get("revision") or 0), objects.meta(cr).get("creationTimestamp") or "", objects.name_of(cr))
