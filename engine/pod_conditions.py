"""A pod's phase and conditions as the controllers read them (k/k pkg/api/v1/pod/util.go, and
controller.IsPodActive from pkg/controller/controller_utils.go).

Shared by the workload controllers (ReplicaSet, StatefulSet, DaemonSet) and the endpoint
controllers, so "Ready" and "available" mean the same thing everywhere, as upstream's one
podutil package makes them."""
from __future__ import annotations

from . import objects


def phase_of(pod: dict) -> str:
    return (pod.get("status") or {}).get("phase") or ""


def ready_condition(pod: dict) -> dict | None:
    return objects.get_condition(pod.get("status"), "Ready")


def is_pod_ready(pod: dict) -> bool:
    """podutil.IsPodReady: the Ready condition is True."""
    c = ready_condition(pod)
    return c is not None and c.get("status") == "True"


def is_pod_available(pod: dict, min_ready_seconds: int | None, now: float) -> bool:
    """podutil.IsPodAvailable: Ready, and Ready for longer than minReadySeconds."""
    c = ready_condition(pod)
    if c is None or c.get("status") != "True":
        return False
    if not min_ready_seconds:
        return True
    since = objects.parse_time(c.get("lastTransitionTime"))
    return since is not None and since + min_ready_seconds < now


def is_pod_active(pod: dict) -> bool:
    """controller.IsPodActive: not Succeeded/Failed and not being deleted."""
    return phase_of(pod) not in ("Succeeded", "Failed") and not objects.is_terminating(pod)
