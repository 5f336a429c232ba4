"""`kubectl describe hpa` in the page's terminal: k/kubectl pkg/describe
describeHorizontalPodAutoscalerV2's lines, in its order — each metric's current over its
target, min/max, the behavior rules when given, the target's pods, the conditions and the
Events."""
from __future__ import annotations

from .cli import Ctx
from .describe import Writer, annotations_multiline, events_section, labels_multiline, rfc1123z


def _metric(w: Writer, spec: dict, status: dict | None) -> None:
    mtype = spec.get("type")
    if mtype in ("Resource", "ContainerResource"):
        key = "resource" if mtype == "Resource" else "containerResource"
        src, cur = spec.get(key) or {}, ((status or {}).get(key) or None)
        target = src.get("target") or {}
        if mtype == "Resource":
            w.write(1, f"resource {src.get('name')} on pods")
        else:
            w.write(1, f"resource {src.get('name')} of container \"{src.get('container')}\" on pods")
        if target.get("averageValue") is not None:
            current = str((cur.get("current") or {}).get("averageValue") or "0") if cur is not None else "<unknown>"
            w.write(0, f":\t{current} / {target['averageValue']}\n")
            return
        current = "<unknown>"
        now = (cur or {}).get("current") or {}
        if cur is not None and now.get("averageUtilization") is not None:
            current = f"{now['averageUtilization']}% ({now.get('averageValue') or '0'})"
        goal = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
        w.write(1, f"(as a percentage of request):\t{current} / {goal}\n")
        return
    key = {"Pods": "pods", "Object": "object", "External": "external"}.get(mtype or "")
    src = spec.get(key or "") or {}
    name = (src.get("metric") or {}).get("name") or ""
    target = src.get("target") or {}
    current = (((status or {}).get(key or "") or {}).get("current") or {})
    if mtype == "Pods":
        w.write(1, f"\"{name}\" on pods:\t{current.get('averageValue') or '<unknown>'} / {target.get('averageValue')}\n")
    elif mtype in ("Object", "External"):
        value = target.get("averageValue") if target.get("averageValue") is not None else target.get("value")
        shown = current.get("averageValue") or current.get("value") or "<unknown>"
        what = f"\"{name}\" on {src.get('describedObject', {}).get('kind')}/{src.get('describedObject', {}).get('name')}" \
            if mtype == "Object" else f"\"{name}\" (target {'average ' if target.get('averageValue') is not None else ''}value)"
        w.write(1, f"{what}:\t{shown} / {value}\n")
    else:
        w.write(1, f"<unknown metric type {mtype!r}>\n")


def _direction(w: Writer, title: str, rules: dict | None) -> None:
    """printDirectionBehavior."""
    if rules is None:
        return
    w.write(1, f"{title}:\n")
    if rules.get("stabilizationWindowSeconds") is not None:
        w.write(2, f"Stabilization Window: {rules['stabilizationWindowSeconds']} seconds\n")
    if rules.get("policies"):
        w.write(2, f"Select Policy: {rules.get('selectPolicy') or 'Max'}\n")
        w.write(2, "Policies:\n")
        for p in rules["policies"]:
            w.write(3, f"- Type: {p.get('type')}\tValue: {p.get('value')}\tPeriod: {p.get('periodSeconds')} seconds\n")


def describe_hpa(ctx: Ctx, hpa: dict) -> str:
    w = Writer()
    md, spec, status = hpa.get("metadata") or {}, hpa.get("spec") or {}, hpa.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    w.write(0, f"Reference:\t{ref.get('kind', '')}/{ref.get('name', '')}\n")
    w.write(0, "Metrics:\t( current / target )\n")
    current = status.get("currentMetrics") or []
    for i, m in enumerate(spec.get("metrics") or []):
        _metric(w, m or {}, current[i] if i < len(current) else None)
    lo = spec.get("minReplicas")
    w.write(0, f"Min replicas:\t{'<unset>' if lo is None else lo}\n")
    w.write(0, f"Max replicas:\t{spec.get('maxReplicas', 0)}\n")
    if spec.get("behavior") is not None:
        w.write(0, "Behavior:\n")
        _direction(w, "Scale Up", spec["behavior"].get("scaleUp"))
        _direction(w, "Scale Down", spec["behavior"].get("scaleDown"))
    w.write(0, f"{ref.get('kind', '')} pods:\t")
    w.write(0, f"{status.get('currentReplicas', 0)} current / {status.get('desiredReplicas', 0)} desired\n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tReason\tMessage\n")
        w.write(1, "----\t------\t------\t-------\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type')}\t{c.get('status')}\t{c.get('reason', '')}\t{c.get('message', '')}\n")
    events_section(ctx, w, hpa)
    return w.text()
