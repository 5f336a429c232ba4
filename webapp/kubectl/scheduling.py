"""The in-page terminal's commands for PriorityClasses: `create priorityclass|pc` (k/kubectl
pkg/cmd/create/create_priorityclass.go, which wraps the server's refusal in its own words) and
the describer (pkg/describe describePriorityClass)."""
from __future__ import annotations

from engine import errors
from . import describers
from .cli import Ctx, Flag, command
from .describe import Writer, events_section
from .errors import CommandError
from .workloads import DRY_RUN, OUTPUT, _create, _one_name


def create_priority_class(ctx: Ctx, args: list[str], flags: dict) -> int:
    name = _one_name(args)
    obj = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
           "metadata": {"creationTimestamp": None, "name": name}, "value": int(flags.get("value") or 0),
           "globalDefault": bool(flags.get("global-default")), "description": flags.get("description") or "",
           "preemptionPolicy": flags.get("preemption-policy") or "PreemptLowerPriority"}
    try:
        _create(ctx, flags, obj)
    except errors.ApiError as e:
        raise CommandError(f"failed to create priorityclass: {e.message}") from None
    return 0


_FLAGS = (Flag("value", kind="int", default=0), Flag("global-default", kind="bool"), Flag("description"),
          Flag("preemption-policy", default="PreemptLowerPriority"), DRY_RUN, OUTPUT)
for _path in ("create priorityclass", "create pc"):
    command(_path, *_FLAGS)(create_priority_class)


def describe_priority_class(ctx: Ctx, pc: dict) -> str:
    w = Writer()
    md = pc.get("metadata") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    w.write(0, f"Value:\t{pc.get('value') or 0}\n")
    w.write(0, f"GlobalDefault:\t{str(bool(pc.get('globalDefault'))).lower()}\n")
    if pc.get("preemptionPolicy") is not None:
        w.write(0, f"PreemptionPolicy:\t{pc['preemptionPolicy']}\n")
    w.write(0, f"Description:\t{pc.get('description') or ''}\n")
    annotations = md.get("annotations") or {}
    w.write(0, "Annotations:\t" + (",".join(f"{k}={v}" for k, v in sorted(annotations.items())) or "<none>") + "\n")
    events_section(ctx, w, pc)
    return w.text()


describers.DESCRIBERS["PriorityClass"] = describe_priority_class
__all__ = ["create_priority_class", "describe_priority_class"]
