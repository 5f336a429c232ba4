"""`kubectl get` columns for PodDisruptionBudgets, ResourceQuotas and LimitRanges, as upstream's
pkg/printers/internalversion/printers.go prints them (printPodDisruptionBudget,
printResourceQuota, printLimitRange). tables.py registers them with its other printers."""
from __future__ import annotations

from engine import quantity
from webapp.api import printers

_NAME_DOC = (
    'Name must be unique within a namespace. Is required when creating resources,'
    ' although some resources may allow a client to request the generation of an'
    ' appropriate name automatically. Name is primarily intended for creation'
    ' idempotence and configuration definition. Cannot be updated. More info:'
    ' https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names'
)
_CREATED_DOC = (
    'CreationTimestamp is a timestamp representing the server time when this object'
    ' was created. It is not guaranteed to be set in happens-before order across'
    ' separate operations. Clients may not set this value. It is represented in'
    ' RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for'
    ' lists. More info:'
    ' https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata'
)


def _col(name: str, type_: str, description: str, format_: str = "") -> dict:
    return {"name": name, "type": type_, "format": format_, "description": description, "priority": 0}


_NAME = _col("Name", "string", _NAME_DOC, "name")
_AGE = _col("Age", "string", _CREATED_DOC)


def _md(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _age(obj: dict, now: float) -> str:
    return printers.translate_timestamp_since(_md(obj).get("creationTimestamp"), now)


PDB_COLUMNS = (
    _NAME,
    _col("Min Available", "string", "The minimum number of pods that must be available."),
    _col("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
    _col("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
    _AGE,
)


def pdb_cells(pdb: dict, now: float) -> list:
    spec, status = pdb.get("spec") or {}, pdb.get("status") or {}
    min_av, max_un = spec.get("minAvailable"), spec.get("maxUnavailable")
    return [_md(pdb).get("name", ""), "N/A" if min_av is None else str(min_av),
            "N/A" if max_un is None else str(max_un), int(status.get("disruptionsAllowed") or 0), _age(pdb, now)]


QUOTA_COLUMNS = (
    _NAME, _AGE,
    _col("Request", "string", "Request represents a minimum amount of cpu/memory that a container may consume."),
    _col("Limit", "string", "Limits control the maximum amount of cpu/memory that a container may use "
                            "independent of contention on the node."),
)


def quota_cells(rq: dict, now: float) -> list:
    status = rq.get("status") or {}
    hard, used = status.get("hard") or {}, status.get("used") or {}
    request, limit = [], []
    for name in sorted(hard):
        column = limit if name.split(".")[0] == "limits" and "." in name else request
        u = quantity.canonical_quantity(used[name]) if name in used else "0"
        column.append(f"{name}: {u}/{quantity.canonical_quantity(hard[name])}")
    return [_md(rq).get("name", ""), _age(rq, now), ", ".join(request), ", ".join(limit)]


LIMITRANGE_COLUMNS = (_NAME, _col("Created At", "date", _CREATED_DOC))


def limitrange_cells(lr: dict, now: float) -> list:
    return [_md(lr).get("name", ""), _md(lr).get("creationTimestamp") or "0001-01-01T00:00:00Z"]


# (group, resource) -> (columns, cells)
TABLES = {
    ("policy", "poddisruptionbudgets"): (PDB_COLUMNS, pdb_cells),
    ("", "resourcequotas"): (QUOTA_COLUMNS, quota_cells),
    ("", "limitranges"): (LIMITRANGE_COLUMNS, limitrange_cells),
}
