"""`kubectl autoscale` in the page's terminal: a HorizontalPodAutoscaler for a Deployment,
ReplicaSet or StatefulSet, built as kubectl 1.32 builds it (k/kubectl pkg/cmd/autoscale: an
autoscaling/v1 object with minReplicas only when --min is given and targetCPUUtilizationPercentage
only when --cpu-percent is) and stored through the same v1 → v2 conversion the API applies.
"""
from __future__ import annotations

from engine import hpa_versions, objects
from . import resolve
from .cli import Ctx, Flag, command
from .errors import CommandError
from .workloads import DRY_RUN, OUTPUT, _create, _targets

_SCALABLE = ("Deployment", "ReplicaSet", "StatefulSet")


@command("autoscale", Flag("min", kind="int", default=-1), Flag("max", kind="int", default=-1),
         Flag("cpu-percent", kind="int", default=-1), Flag("name"), DRY_RUN, OUTPUT)
def autoscale(ctx: Ctx, args: list[str], flags: dict) -> int:
    lo, hi, cpu = flags["min"], flags["max"], flags["cpu-percent"]
    if hi < 1:
        raise CommandError(f"--max=MAXPODS is required and must be at least 1, max: {hi}")
    if hi < lo:
        raise CommandError(f"--max=MAXPODS must be larger or equal to --min=MINPODS, max: {hi}, min: {lo}")
    targets = _targets(ctx, args, flags)
    if not targets:
        raise CommandError("no objects passed to autoscale")
    for rt, obj in targets:
        if rt.kind not in _SCALABLE:
            raise CommandError(f"cannot autoscale a {rt.kind}: no scale subresource for "
                               f"{resolve.kind_string(rt)}")
        spec: dict = {"scaleTargetRef": {"kind": rt.kind, "name": objects.name_of(obj), "apiVersion": rt.api_version},
                      "maxReplicas": hi}
        if lo > -1:
            spec["minReplicas"] = lo
        if cpu >= 0:
            spec["targetCPUUtilizationPercentage"] = cpu
        v1 = {"apiVersion": hpa_versions.API_VERSION, "kind": "HorizontalPodAutoscaler",
              "metadata": {"name": flags.get("name") or objects.name_of(obj)}, "spec": spec}
        _create(ctx, flags, hpa_versions.from_v1(v1, strict=True), verb="autoscaled", manager="kubectl-autoscale")
    return 0
