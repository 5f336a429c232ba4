"""autoscaling/v1 HorizontalPodAutoscalers, served from the stored autoscaling/v2 objects by
conversion, as kube-apiserver serves both versions from one storage
(k/k pkg/apis/autoscaling/v1/conversion.go).

v1 knows one metric, `targetCPUUtilizationPercentage` (the v2 cpu Resource metric with a
Utilization target) and reports `currentCPUUtilizationPercentage`; everything else v2 holds
travels in annotations on the v1 object, in v1's own metric shapes, so a v1 read-modify-write
keeps it: `autoscaling.alpha.kubernetes.io/metrics` (the other metrics),
`.../current-metrics` (all current metrics), `.../behavior` and `.../conditions`. Going back
to v2, those annotations are read and removed.

`to_v1(obj)` converts a stored object for a v1 reader; `from_v1(obj, strict)` decodes a v1 body
against upstream's v1 schema (generated data; unknown fields refused in strict mode with the
decoder's text, dropped otherwise) into the v2 object the store admits.
"""
from __future__ import annotations

import json

from . import errors, objects
from .admission import schema

API_VERSION = "autoscaling/v1"
STORED = "autoscaling/v2"
METRICS = "autoscaling.alpha.kubernetes.io/metrics"
CURRENT_METRICS = "autoscaling.alpha.kubernetes.io/current-metrics"
BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior"
CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions"
_ANNOTATIONS = (METRICS, CURRENT_METRICS, BEHAVIOR, CONDITIONS)

def _dumps(v) -> str:
    return json.dumps(v, separators=(",", ":"))


def _is_cpu_utilization(m: dict) -> bool:
    res = m.get("resource") or {}
    return (m.get("type") == "Resource" and res.get("name") == "cpu"
            and (res.get("target") or {}).get("averageUtilization") is not None)


# ---- metric shapes: v2 ↔ v1 (v1's are autoscaling/v2beta1's) -------------------------------------

def _target_v1(target: dict, prefix: str) -> dict:
    out = {}
    if target.get("averageUtilization") is not None:
        out[f"{prefix}AverageUtilization"] = target["averageUtilization"]
    if target.get("averageValue") is not None:
        out[f"{prefix}AverageValue"] = target["averageValue"]
    if target.get("value") is not None:
        out[f"{prefix}Value"] = target["value"]
    return out


def _spec_metric_v1(m: dict) -> dict:
    mtype = m.get("type") or ""
    out: dict = {"type": mtype}
    if mtype in ("Resource", "ContainerResource"):
        key = "resource" if mtype == "Resource" else "containerResource"
        src = m.get(key) or {}
        body = {"name": src.get("name")}
        if mtype == "ContainerResource":
            body["container"] = src.get("container")
        body.update(_target_v1(src.get("target") or {}, "target"))
        out[key] = body
    elif mtype in ("Pods", "Object", "External"):
        key = mtype.lower()
        src = m.get(key) or {}
        metric = src.get("metric") or {}
        body = {}
        if mtype == "Object":
            body["target"] = src.get("describedObject")
        body["metricName"] = metric.get("name")
        if mtype == "External":
            body = {"metricName": metric.get("name")}
            if metric.get("selector") is not None:
                body["metricSelector"] = metric["selector"]
        elif metric.get("selector") is not None:
            body["selector"] = metric["selector"]
        body.update(_target_v1(src.get("target") or {}, "target"))
        out[key] = body
    return out


def _spec_metric_v2(m: dict) -> dict:
    mtype = m.get("type") or ""
    out: dict = {"type": mtype}

    def target(src: dict) -> dict:
        t: dict = {}
        if src.get("targetAverageUtilization") is not None:
            t = {"type": "Utilization", "averageUtilization": src["targetAverageUtilization"]}
        elif src.get("targetAverageValue") is not None:
            t = {"type": "AverageValue", "averageValue": src["targetAverageValue"]}
        elif src.get("targetValue") is not None:
            t = {"type": "Value", "value": src["targetValue"]}
        return t
    if mtype in ("Resource", "ContainerResource"):
        key = "resource" if mtype == "Resource" else "containerResource"
        src = m.get(key) or {}
        body = {"name": src.get("name"), "target": target(src)}
        if mtype == "ContainerResource":
            body["container"] = src.get("container")
        out[key] = body
    elif mtype in ("Pods", "Object", "External"):
        key = mtype.lower()
        src = m.get(key) or {}
        metric = {"name": src.get("metricName")}
        sel = src.get("metricSelector" if mtype == "External" else "selector")
        if sel is not None:
            metric["selector"] = sel
        body = {"metric": metric, "target": target(src)}
        if mtype == "Object":
            body["describedObject"] = src.get("target")
        out[key] = body
    return out


def _status_metric_v1(m: dict) -> dict:
    mtype = m.get("type") or ""
    out: dict = {"type": mtype}
    key = {"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
           "Object": "object", "External": "external"}.get(mtype)
    if key and m.get(key) is not None:
        src = m[key]
        cur = src.get("current") or {}
        body: dict = {}
        if key in ("resource", "containerResource"):
            body["name"] = src.get("name")
            if key == "containerResource":
                body["container"] = src.get("container")
        else:
            body["metricName"] = (src.get("metric") or {}).get("name")
        body.update(_target_v1(cur, "current"))
        out[key] = body
    return out


def _status_metric_v2(m: dict) -> dict:
    mtype = m.get("type") or ""
    out: dict = {"type": mtype}
    key = {"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
           "Object": "object", "External": "external"}.get(mtype)
    if key and m.get(key) is not None:
        src = m[key]
        cur = {}
        for v1name, v2name in (("currentAverageUtilization", "averageUtilization"),
                               ("currentAverageValue", "averageValue"), ("currentValue", "value")):
            if src.get(v1name) is not None:
                cur[v2name] = src[v1name]
        body: dict = {"current": cur}
        if key in ("resource", "containerResource"):
            body = {"name": src.get("name"), **body}
            if key == "containerResource":
                body["container"] = src.get("container")
        else:
            body = {"metric": {"name": src.get("metricName")}, **body}
        out[key] = body
    return out


# ---- objects -------------------------------------------------------------------------------------

def to_v1(obj: dict) -> dict:
    """The v1 view of a stored (v2) HorizontalPodAutoscaler."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    md = objects.clone(obj.get("metadata") or {})
    annotations = dict(md.get("annotations") or {})
    metrics = spec.get("metrics") or []
    others = [_spec_metric_v1(m) for m in metrics if not _is_cpu_utilization(m)]
    if others:
        annotations[METRICS] = _dumps(others)
    current = status.get("currentMetrics") or []
    if current:
        annotations[CURRENT_METRICS] = _dumps([_status_metric_v1(m) for m in current])
    if spec.get("behavior") is not None:
        annotations[BEHAVIOR] = _dumps(spec["behavior"])
    if status.get("conditions"):
        annotations[CONDITIONS] = _dumps(status["conditions"])
    if annotations:
        md["annotations"] = annotations
    v1spec: dict = {"scaleTargetRef": objects.clone(spec.get("scaleTargetRef") or {})}
    if spec.get("minReplicas") is not None:
        v1spec["minReplicas"] = spec["minReplicas"]
    v1spec["maxReplicas"] = spec.get("maxReplicas", 0)
    cpu = next((m for m in metrics if _is_cpu_utilization(m)), None)
    if cpu is not None:
        v1spec["targetCPUUtilizationPercentage"] = cpu["resource"]["target"]["averageUtilization"]
    v1status: dict = {}
    for k in ("observedGeneration", "lastScaleTime", "currentReplicas"):
        if status.get(k) is not None:
            v1status[k] = status[k]
    v1status["desiredReplicas"] = status.get("desiredReplicas", 0)
    for m in current:
        res = m.get("resource") or {}
        if m.get("type") == "Resource" and res.get("name") == "cpu" and \
                (res.get("current") or {}).get("averageUtilization") is not None:
            v1status["currentCPUUtilizationPercentage"] = res["current"]["averageUtilization"]
            break
    return {"kind": "HorizontalPodAutoscaler", "apiVersion": API_VERSION, "metadata": md,
            "spec": v1spec, "status": v1status}


def _decode_annotation(annotations: dict, key: str):
    raw = annotations.pop(key, None)
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None                        # upstream ignores an annotation it cannot read


def from_v1(obj: dict, *, strict: bool) -> dict:
    """A v1 body as the v2 object to store: decoded against the v1 schema first (type errors, and
    unknown fields when strict, refused with the decoder's texts)."""
    err, unknown = schema.scan_as(obj, API_VERSION, "HorizontalPodAutoscaler")
    prefix = 'HorizontalPodAutoscaler in version "v1" cannot be handled as a HorizontalPodAutoscaler: '
    if err:
        raise errors.BadRequest(prefix + err)
    if unknown and strict:
        raise errors.BadRequest(prefix + "strict decoding error: " + ", ".join(f'unknown field "{p}"' for p in unknown))
    spec: dict = obj["spec"] if isinstance(obj.get("spec"), dict) else {}
    status: dict = obj["status"] if isinstance(obj.get("status"), dict) else {}
    md = objects.clone(obj.get("metadata") or {})
    annotations = dict(md.get("annotations") or {}) if isinstance(md.get("annotations"), dict) else {}
    others = _decode_annotation(annotations, METRICS)
    current = _decode_annotation(annotations, CURRENT_METRICS)
    behavior = _decode_annotation(annotations, BEHAVIOR)
    conditions = _decode_annotation(annotations, CONDITIONS)
    if annotations:
        md["annotations"] = annotations
    else:
        md.pop("annotations", None)
    v2spec: dict = {}
    for k in ("scaleTargetRef", "minReplicas", "maxReplicas"):
        if k in spec:
            v2spec[k] = spec[k]
    metrics = [_spec_metric_v2(m) for m in others or [] if isinstance(m, dict)]
    if spec.get("targetCPUUtilizationPercentage") is not None:
        metrics.append({"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": spec["targetCPUUtilizationPercentage"]}}})
    if metrics:
        v2spec["metrics"] = metrics
    if isinstance(behavior, dict):
        v2spec["behavior"] = behavior
    v2status: dict = {}
    for k in ("observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas"):
        if status.get(k) is not None:
            v2status[k] = status[k]
    if isinstance(current, list):
        v2status["currentMetrics"] = [_status_metric_v2(m) for m in current if isinstance(m, dict)]
    elif status.get("currentCPUUtilizationPercentage") is not None:
        v2status["currentMetrics"] = [{"type": "Resource", "resource": {"name": "cpu", "current": {
            "averageUtilization": status["currentCPUUtilizationPercentage"]}}}]
    if isinstance(conditions, list):
        v2status["conditions"] = conditions
    out = {"apiVersion": STORED, "kind": "HorizontalPodAutoscaler", "metadata": md, "spec": v2spec}
    if status:
        out["status"] = v2status
    return out
