"""The HPA's replica calculator (k/k pkg/controller/podautoscaler/replica_calculator.go and
metrics/utilization.go) for resource metrics: from each pod's use and request, the replica count
that brings the average back to the target.

desired = ceil(ready pods × usage ratio), unless the ratio is within the 10 % tolerance of 1.
Pods still starting (Pending, unready, or ready so recently that no full metrics window has
passed since) are left out of the average; when scaling up they are then counted back in as
using nothing, and pods with no metrics yet as using nothing on a scale up and their whole
request on a scale down — so a scale up or down happens only if it survives that pessimism.
Failures are raised as MetricError with upstream's texts.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .. import objects, quantity, usage
from ..pod_conditions import ready_condition

TOLERANCE = 0.1
CPU_INITIALIZATION_PERIOD = 300.0            # --horizontal-pod-autoscaler-cpu-initialization-period
DELAY_OF_INITIAL_READINESS_STATUS = 30.0     # --horizontal-pod-autoscaler-initial-readiness-delay


class MetricError(Exception):
    pass


@dataclass
class PodMetric:
    value: int          # milli-units (millicores, millibytes), as MilliValue
    timestamp: float
    window: float


def pod_metrics(pods: list[dict], resource: str, now: float, extra: dict) -> dict[str, PodMetric]:
    """What the resource metrics API returns for these pods (metrics-server's samples)."""
    out: dict[str, PodMetric] = {}
    stamp = usage.window_start(now)
    for pod in pods:
        samples = usage.pod_usage(pod, now, extra.get(objects.uid_of(pod), 0))
        if samples is None:
            continue
        if resource == "cpu":
            total = sum(math.ceil(use.cpu_nanocores / 1_000_000) for _, use in samples)
        else:
            total = sum(use.memory_bytes * 1000 for _, use in samples)
        out[objects.name_of(pod)] = PodMetric(total, stamp, float(usage.window_seconds()))
    return out


def _requests(pods: list[dict], resource: str) -> dict[str, int]:
    """calculatePodRequests: the pods' summed container requests, in milli-units."""
    out: dict[str, int] = {}
    for pod in pods:
        total = 0
        for c in (pod.get("spec") or {}).get("containers") or []:
            req = ((c.get("resources") or {}).get("requests") or {}).get(resource)
            if req is None:
                raise MetricError(f"missing request for {resource} in container {c.get('name')} "
                                  f"of Pod {objects.name_of(pod)}")
            total += quantity.milli_value(req)
        out[objects.name_of(pod)] = total
    return out


def group_pods(pods: list[dict], metrics: dict[str, PodMetric], resource: str,
               now: float) -> tuple[int, set[str], set[str], set[str]]:
    """groupPods: (ready pod count, unready pods, pods missing metrics, ignored pods)."""
    ready, unready, missing, ignored = 0, set(), set(), set()
    for pod in pods:
        name = objects.name_of(pod)
        phase = (pod.get("status") or {}).get("phase")
        if phase == "Failed":
            unready.add(name)
            continue
        if objects.is_terminating(pod):
            ignored.add(name)                # being deleted: its use is going away
            continue
        if phase == "Pending":
            unready.add(name)
            continue
        metric = metrics.get(name)
        if metric is None:
            missing.add(name)
            continue
        if resource == "cpu":
            cond = ready_condition(pod)
            start = objects.parse_time((pod.get("status") or {}).get("startTime"))
            if cond is None or start is None:
                skip = True
            else:
                changed = objects.parse_time(cond.get("lastTransitionTime")) or start
                if start + CPU_INITIALIZATION_PERIOD > now:
                    # still starting: unready, or ready so recently that no full window has passed
                    skip = cond.get("status") == "False" or metric.timestamp < changed + metric.window
                else:
                    # unready and never was ready since it started
                    skip = cond.get("status") == "False" and start + DELAY_OF_INITIAL_READINESS_STATUS > changed
            if skip:
                unready.add(name)
                continue
        ready += 1
    return ready, unready, missing, ignored


def _utilization_ratio(metrics: dict[str, PodMetric], requests: dict[str, int],
                       target: int) -> tuple[float, int, int]:
    """GetResourceUtilizationRatio: (ratio to target, utilization %, average raw milli-value)."""
    total = requested = entries = 0
    for name, m in metrics.items():
        if name not in requests:
            continue
        total += m.value
        requested += requests[name]
        entries += 1
    if requested == 0:
        raise MetricError("no metrics returned matched known pods")
    utilization = total * 100 // requested
    return utilization / target, utilization, total // entries


@dataclass
class Proposal:
    replicas: int
    utilization: int | None     # percent of request (Utilization targets)
    raw: int                    # average milli-value per pod


def resource_replicas(current: int, target_utilization: int, resource: str, pods: list[dict],
                      metrics: dict[str, PodMetric], now: float, tolerance: float = TOLERANCE) -> Proposal:
    """GetResourceReplicas, for an averageUtilization target."""
    if not metrics:
        raise MetricError(f"unable to get metrics for resource {resource}: no metrics returned from resource metrics API")
    if not pods:
        raise MetricError("no pods returned by selector while calculating replica count")
    metrics = dict(metrics)
    ready, unready, missing, ignored = group_pods(pods, metrics, resource, now)
    for name in ignored | unready:
        metrics.pop(name, None)
    requests = _requests(pods, resource)
    if not metrics:
        raise MetricError("did not receive metrics for targeted pods (pods might be unready)")
    ratio, utilization, raw = _utilization_ratio(metrics, requests, target_utilization)
    scale_up_with_unready = bool(unready) and ratio > 1.0
    if not scale_up_with_unready and not missing:
        if abs(1.0 - ratio) <= tolerance:
            return Proposal(current, utilization, raw)
        return Proposal(math.ceil(ratio * ready), utilization, raw)
    if missing:
        if ratio < 1.0:
            # on a scale-down, missing pods count as using all of their request (or the target, if higher)
            fallback = max(100, target_utilization)
            for name in missing:
                metrics[name] = PodMetric(requests[name] * fallback // 100, 0, 0)
        elif ratio > 1.0:
            for name in missing:
                metrics[name] = PodMetric(0, 0, 0)
    if scale_up_with_unready:
        for name in unready:
            metrics[name] = PodMetric(0, 0, 0)
    new_ratio = _utilization_ratio(metrics, requests, target_utilization)[0]
    if abs(1.0 - new_ratio) <= tolerance or (ratio < 1.0 < new_ratio) or (ratio > 1.0 > new_ratio):
        return Proposal(current, utilization, raw)
    new = math.ceil(new_ratio * len(metrics))
    if (new_ratio < 1.0 and new > current) or (new_ratio > 1.0 and new < current):
        return Proposal(current, utilization, raw)
    return Proposal(new, utilization, raw)


def raw_resource_replicas(current: int, target_milli: int, resource: str, pods: list[dict],
                          metrics: dict[str, PodMetric], now: float, tolerance: float = TOLERANCE) -> Proposal:
    """GetRawResourceReplicas (calcPlainMetricReplicas), for an averageValue target."""
    if not metrics:
        raise MetricError(f"unable to get metrics for resource {resource}: no metrics returned from resource metrics API")
    if not pods:
        raise MetricError("no pods returned by selector while calculating replica count")
    metrics = dict(metrics)
    ready, unready, missing, ignored = group_pods(pods, metrics, resource, now)
    for name in ignored | unready:
        metrics.pop(name, None)
    if not metrics:
        raise MetricError("did not receive metrics for targeted pods (pods might be unready)")

    def ratio_of(ms: dict[str, PodMetric]) -> tuple[float, int]:
        average = sum(m.value for m in ms.values()) // len(ms)
        return average / target_milli, average

    ratio, average = ratio_of(metrics)
    scale_up_with_unready = bool(unready) and ratio > 1.0
    if not scale_up_with_unready and not missing:
        if abs(1.0 - ratio) <= tolerance:
            return Proposal(current, None, average)
        return Proposal(math.ceil(ratio * ready), None, average)
    for name in missing:
        metrics[name] = PodMetric(target_milli if ratio < 1.0 else 0, 0, 0)
    if scale_up_with_unready:
        for name in unready:
            metrics[name] = PodMetric(0, 0, 0)
    new_ratio = ratio_of(metrics)[0]
    if abs(1.0 - new_ratio) <= tolerance or (ratio < 1.0 < new_ratio) or (ratio > 1.0 > new_ratio):
        return Proposal(current, None, average)
    return Proposal(math.ceil(new_ratio * len(metrics)), None, average)
