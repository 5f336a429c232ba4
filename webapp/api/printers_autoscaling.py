"""`kubectl get hpa` columns (k/k pkg/printers/internalversion/printers.go,
printHorizontalPodAutoscaler and formatHPAMetrics at v1.32): NAME REFERENCE TARGETS MINPODS
MAXPODS REPLICAS AGE, TARGETS as `cpu: 250%/50%` — each metric's current value over its target,
`<unknown>` until the controller has measured it, at most two then `+ N more...`. MAXPODS and
REPLICAS are integer cells under string columns, as upstream appends them. Column descriptions are
the API's own field docs, read from the generated schema."""
from __future__ import annotations

from engine import schema

from . import printers

_SPEC = "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec"
_STATUS = "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus"


def _doc(definition: str, field: str) -> str:
    return schema.openapi_schemas()[definition]["properties"][field].get("description", "")


def columns(name_column: dict, age_column: dict, col) -> tuple[dict, ...]:
    return (name_column,
            col("Reference", "string", _doc(_SPEC, "scaleTargetRef")),
            col("Targets", "string", _doc(_SPEC, "metrics")),
            col("MinPods", "string", _doc(_SPEC, "minReplicas")),
            col("MaxPods", "string", _doc(_SPEC, "maxReplicas")),
            col("Replicas", "string", _doc(_STATUS, "currentReplicas")),
            age_column)


def _metric_text(spec: dict, status: dict | None) -> str:
    mtype = spec.get("type")
    if mtype in ("Resource", "ContainerResource"):
        src = spec.get("resource" if mtype == "Resource" else "containerResource") or {}
        cur = ((status or {}).get("resource" if mtype == "Resource" else "containerResource") or None)
        target = src.get("target") or {}
        label = src.get("name") or ""
        if mtype == "ContainerResource":
            label = f"{label}/{src.get('container') or ''}"
        if target.get("averageValue") is not None:
            current = "<unknown>"
            if cur is not None:
                current = str((cur.get("current") or {}).get("averageValue") or "0")
            return f"{label}: {current}/{target['averageValue']}"
        current = "<unknown>"
        if cur is not None and (cur.get("current") or {}).get("averageUtilization") is not None:
            current = f"{cur['current']['averageUtilization']}%"
        goal = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
        return f"{label}: {current}/{goal}"
    key = {"Pods": "pods", "Object": "object", "External": "external"}.get(mtype or "")
    if key is None:
        return "<unknown type>"
    src = spec.get(key) or {}
    cur = ((status or {}).get(key) or {}).get("current") or {}
    target = src.get("target") or {}
    if mtype == "Pods":
        return f"{cur.get('averageValue') or '<unknown>'}/{target.get('averageValue')}"
    if target.get("averageValue") is not None:
        return f"{cur.get('averageValue') or '<unknown>'}/{target['averageValue']} (avg)"
    return f"{cur.get('value') or '<unknown>'}/{target.get('value')}"


def format_metrics(specs: list | None, statuses: list | None) -> str:
    """formatHPAMetrics."""
    if not specs:
        return "<none>"
    statuses = statuses or []
    shown: list[str] = []
    count = 0
    for i, spec in enumerate(specs):
        shown.append(_metric_text(spec or {}, statuses[i] if i < len(statuses) else None))
        if len(shown) > 2:
            shown = shown[:2]
            return ", ".join(shown) + f" + {len(specs) - count} more..."
        count += 1
    return ", ".join(shown)


def cells(hpa: dict, now: float) -> list:
    md, spec, status = hpa.get("metadata") or {}, hpa.get("spec") or {}, hpa.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    lo = spec.get("minReplicas")
    return [md.get("name", ""), f"{ref.get('kind', '')}/{ref.get('name', '')}",
            format_metrics(spec.get("metrics"), status.get("currentMetrics")),
            "<unset>" if lo is None else str(lo), int(spec.get("maxReplicas") or 0),
            int(status.get("currentReplicas") or 0),
            printers.translate_timestamp_since(md.get("creationTimestamp"), now)]
