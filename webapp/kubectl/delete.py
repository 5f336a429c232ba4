"""`kubectl delete TYPE NAME... | TYPE/NAME... | TYPE -l SEL | TYPE --all` (k/kubectl
`pkg/cmd/delete`): background cascade by default, `--grace-period` / `--now` / `--force`, and the
current output `<kind> "<name>" deleted from <ns> namespace`. It does not wait for graceful
deletions to finish (kubectl's `--wait`), since the in-page terminal cannot block."""
from __future__ import annotations

from engine import errors, objects
from . import resolve
from .cli import Ctx, Flag, UsageError, command
from .errors import CommandError, render
from .workloads import DRY_RUN, OUTPUT, _dry_run


@command("delete", Flag("selector", "l"), Flag("all", kind="bool"), Flag("all-namespaces", "A", "bool"),
         Flag("grace-period", kind="int", default=-1), Flag("force", kind="bool"), Flag("now", kind="bool"),
         Flag("wait", kind="bool", default=True), Flag("cascade", default="background"),
         Flag("ignore-not-found", kind="bool"), Flag("filename", "f", "list"), Flag("timeout"), DRY_RUN, OUTPUT)
def delete(ctx: Ctx, args: list[str], flags: dict) -> int:
    if flags.get("filename"):
        raise CommandError("delete -f is not available in the terminal: paste the YAML in the editor "
                           "and press Delete")
    grace = flags["grace-period"]
    if flags.get("now"):
        if grace != -1:
            raise CommandError("--now and --grace-period cannot be specified together")
        grace = 1
    if flags.get("force") and grace > 0:
        raise CommandError("--force and --grace-period greater than 0 cannot be specified together")
    if flags.get("force") and grace < 0:
        grace = 0
    cascade = {"true": "background", "false": "orphan"}.get(flags["cascade"], flags["cascade"])
    if cascade not in ("background", "foreground", "orphan"):
        raise CommandError(f'invalid cascade value ({flags["cascade"]}). Must be "background", '
                           '"foreground", or "orphan".')
    types, pairs = resolve.type_name_args(args)
    if not types and not pairs:
        raise UsageError("You must provide one or more resources by argument or filename.\n"
                         "Example resource specifications include:\n   '-f rsrc.yaml'\n   "
                         "'--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
    failures = []
    if pairs:
        targets = []
        for rt, name in pairs:
            ns = ctx.namespace if rt.namespaced else ""
            if ctx.store.try_get(rt, ns, name) is None:
                if not flags.get("ignore-not-found"):
                    failures.append(render(errors.NotFound(rt.name, rt.group, name)))
                continue
            targets.append((rt, ns, name))
    else:
        if not flags.get("selector") and not flags.get("all"):
            raise CommandError("resource(s) were provided, but no name was specified")
        targets = []
        for rt in types:
            ns = None if (flags.get("all-namespaces") or not rt.namespaced) else ctx.namespace
            items, _ = ctx.store.list(rt, ns, label_selector=flags.get("selector") or None)
            targets += [(rt, objects.namespace_of(o), objects.name_of(o)) for o in items]
        if not targets:
            ctx.print("No resources found")
            return 0
    if grace == 0 and targets:
        ctx.print("Warning: Immediate deletion does not wait for confirmation that the running resource "
                  "has been terminated. The resource may continue to run on the cluster indefinitely.")
    mode = _dry_run(flags)
    for rt, ns, name in targets:
        try:
            ctx.store.delete(rt, ns, name, grace_period_seconds=None if grace < 0 else grace,
                             propagation_policy=cascade.capitalize(), dry_run=mode != "none")
        except errors.NotFound as e:
            if not flags.get("ignore-not-found"):
                failures.append(render(e))
            continue
        if flags.get("output") == "name":
            ctx.print(f"{resolve.kind_string(rt)}/{name}")
            continue
        verb = "force deleted" if grace == 0 else "deleted"
        if rt.namespaced:
            verb += f" from {ns} namespace"
        verb += {"client": " (dry run)", "server": " (server dry run)"}.get(mode, "")
        ctx.print(f'{resolve.kind_string(rt)} "{name}" {verb}')
    for f in failures:
        ctx.print(f)
    return 1 if failures else 0
