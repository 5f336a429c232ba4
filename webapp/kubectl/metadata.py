"""`kubectl label` and `kubectl annotate` (k/kubectl `pkg/cmd/label`, `pkg/cmd/annotate`):
`key=value` sets, `key-` removes, an existing different value needs `--overwrite`; the change is
sent as a JSON merge patch of metadata.labels / metadata.annotations."""
from __future__ import annotations

from engine import objects
from . import resolve
from .cli import Ctx, Flag, UsageError, command
from .errors import CommandError
from .workloads import _targets


def _split(args: list[str], what: str) -> tuple[list[str], dict, list[str]]:
    resources = [a for a in args if "=" not in a and not a.endswith("-")]
    changes = [a for a in args if "=" in a or a.endswith("-")]
    if not changes:
        raise UsageError(f"at least one {what} update is required")
    sets, removes = {}, []
    for c in changes:
        if "=" in c:
            k, _, v = c.partition("=")
            if not k:
                raise CommandError(f"invalid {what} format: {c}")
            sets[k] = v
        else:
            removes.append(c[:-1])
    for k in removes:
        if k in sets:
            raise CommandError(f"can not both modify and remove {what}s in the same command")
    return resources, sets, removes


def _run(ctx: Ctx, args: list[str], flags: dict, field: str, what: str, verb: str) -> int:
    resources, sets, removes = _split(args, what)
    for rt, obj in _targets(ctx, resources, flags):
        current = (obj.get("metadata") or {}).get(field) or {}
        if not flags.get("overwrite"):
            for k, v in sets.items():
                if k in current and current[k] != v:
                    raise CommandError(f"'{k}' already has a value ({current[k]}), and --overwrite is false")
        added = [k for k, v in sets.items() if current.get(k) != v]
        removed = [k for k in removes if k in current]
        name = f"{resolve.kind_string(rt)}/{objects.name_of(obj)}"
        if added or removed:
            patch = {**{k: sets[k] for k in added}, **{k: None for k in removed}}
            ctx.store.patch(rt, objects.namespace_of(obj), objects.name_of(obj), "merge", {"metadata": {field: patch}},
                            manager="kubectl-label" if field == "labels" else "kubectl-annotate")
        if field == "labels":       # label reports what actually changed (updateDataChangeMsg)
            verb = ("modified" if added and removed else "labeled" if added
                    else "unlabeled" if removed else "not labeled")
        ctx.print(f"{name} {verb}")
    return 0


@command("label", Flag("overwrite", kind="bool"), Flag("selector", "l"), Flag("all", kind="bool"),
         Flag("list", kind="bool"))
def label(ctx: Ctx, args: list[str], flags: dict) -> int:
    return _run(ctx, args, flags, "labels", "label", "labeled")


@command("annotate", Flag("overwrite", kind="bool"), Flag("selector", "l"), Flag("all", kind="bool"))
def annotate(ctx: Ctx, args: list[str], flags: dict) -> int:
    return _run(ctx, args, flags, "annotations", "annotation", "annotated")
