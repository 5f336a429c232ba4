"""Node maintenance and troubleshooting: cordon, uncordon, drain (k/kubectl `pkg/cmd/drain`,
`pkg/drain`), logs and events.

drain = cordon, then sort the node's pods through kubectl's filters (DaemonSet-managed →
refused unless --ignore-daemonsets, then skipped with a warning; pods with emptyDir → refused
unless --delete-emptydir-data; pods no controller owns → refused unless --force), then evict the
rest through the Eviction API (PodDisruptionBudgets honoured). Real kubectl waits until each
evicted pod is gone, and retries refused evictions until --timeout; the in-page terminal cannot
block, so it prints `pod/<name> evicted` as soon as the eviction is accepted and reports a
refusal at once, leaving the node pending (drain again once the budget allows).
"""
from __future__ import annotations

from engine import errors, eviction, objects, resources as kinds
from webapp.api import printers
from .cli import Ctx, Flag, PrintedError, UsageError, command
from .errors import CommandError
from .tabwriter import GET, TabWriter


def _nodes(ctx: Ctx, args: list[str], selector: str | None) -> list[dict]:
    if selector:
        if args:
            raise UsageError("cannot specify both a node name and a --selector option")
        nodes, _ = ctx.store.list(kinds.NODE, None, label_selector=selector)
        return nodes
    if not args:
        raise UsageError(f"USAGE: {ctx.path} NODE [flags]")
    out = []
    for a in args:
        name = a.split("/", 1)[1] if "/" in a else a
        if "/" in a and a.split("/", 1)[0] not in ("node", "nodes", "no"):
            raise CommandError(f'expected resource of type node, got "{a.split("/", 1)[0]}"')
        out.append(ctx.store.get(kinds.NODE, "", name))
    return out


def _cordon(ctx: Ctx, node: dict, desired: bool, dry_run: bool = False) -> None:
    name = objects.name_of(node)
    if bool((node.get("spec") or {}).get("unschedulable")) == desired:
        ctx.print(f"node/{name} already {'cordoned' if desired else 'uncordoned'}")
        return
    if not dry_run:
        ctx.store.patch(kinds.NODE, "", name, "strategic", {"spec": {"unschedulable": True if desired else None}},
                        manager="kubectl")       # cordon names no manager: its User-Agent's
    ctx.print(f"node/{name} {'cordoned' if desired else 'uncordoned'}{' (dry run)' if dry_run else ''}")


@command("cordon", Flag("selector", "l"), Flag("dry-run"))
def cordon(ctx: Ctx, args: list[str], flags: dict) -> int:
    for node in _nodes(ctx, args, flags.get("selector")):
        _cordon(ctx, node, True, flags.get("dry-run") in ("client", "server"))
    return 0


@command("uncordon", Flag("selector", "l"), Flag("dry-run"))
def uncordon(ctx: Ctx, args: list[str], flags: dict) -> int:
    for node in _nodes(ctx, args, flags.get("selector")):
        _cordon(ctx, node, False, flags.get("dry-run") in ("client", "server"))
    return 0


_DS_FATAL = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
_DS_WARNING = "ignoring DaemonSet-managed Pods"
_LOCAL_FATAL = "Pods with local storage (use --delete-emptydir-data to override)"
_LOCAL_WARNING = "deleting Pods with local storage"
_UNMANAGED_FATAL = "Pods that declare no controller (use --force to override)"
_UNMANAGED_WARNING = "deleting Pods that declare no controller"


def _filter(ctx: Ctx, pod: dict, flags: dict) -> tuple[bool, str, str]:
    """(delete?, "Okay" | "Skip" | "Warning" | "Error", message): kubectl's filters in order,
    stopping at the first that keeps the pod."""
    status = (True, "Okay", "")
    finished = (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")
    ref = objects.controller_of(pod)
    if ref and ref.get("kind") == "DaemonSet" and ref.get("apiVersion") == "apps/v1" and not finished:
        ds = ctx.store.try_get(kinds.DAEMONSET, objects.namespace_of(pod), ref.get("name", ""))
        if ds is None:
            if flags.get("force"):
                status = (True, "Warning", f'daemonsets.apps "{ref.get("name")}" not found')
            else:
                return False, "Error", f'daemonsets.apps "{ref.get("name")}" not found'
        elif not flags.get("ignore-daemonsets"):
            return False, "Error", _DS_FATAL
        else:
            return False, "Warning", _DS_WARNING
    if "kubernetes.io/config.mirror" in ((pod.get("metadata") or {}).get("annotations") or {}):
        return False, "Skip", ""
    if any("emptyDir" in v for v in (pod.get("spec") or {}).get("volumes") or []) and not finished:
        if not flags.get("delete-emptydir-data"):
            return False, "Error", _LOCAL_FATAL
        status = (True, "Warning", _LOCAL_WARNING)
    if not finished and ref is None:
        if not flags.get("force"):
            return False, "Error", _UNMANAGED_FATAL
        status = (True, "Warning", _UNMANAGED_WARNING)
    return status


@command("drain", Flag("ignore-daemonsets", kind="bool"), Flag("force", kind="bool"),
         Flag("delete-emptydir-data", kind="bool"), Flag("delete-local-data", kind="bool"),
         Flag("grace-period", kind="int", default=-1), Flag("timeout"), Flag("selector", "l"),
         Flag("pod-selector"), Flag("disable-eviction", kind="bool"), Flag("dry-run"))
def drain(ctx: Ctx, args: list[str], flags: dict) -> int:
    if flags.get("delete-local-data"):
        flags["delete-emptydir-data"] = True
    dry_run = flags.get("dry-run") in ("client", "server")
    nodes = _nodes(ctx, args, flags.get("selector"))
    for node in nodes:
        _cordon(ctx, node, True, dry_run)
    fatal, remaining = [], []
    for node in nodes:
        name = objects.name_of(node)
        pods, _ = ctx.store.list(kinds.POD, None, label_selector=flags.get("pod-selector") or None,
                                 field_selector=f"spec.nodeName={name}")
        decided = [(p, _filter(ctx, p, flags)) for p in pods]
        problems: dict[str, list[str]] = {}
        warnings: dict[str, list[str]] = {}
        for p, (_, reason, msg) in decided:
            if reason == "Error":
                problems.setdefault(msg, []).append(objects.key_of(p))
            elif reason == "Warning":
                warnings.setdefault(msg, []).append(objects.key_of(p))
        if problems:
            errs = [f"cannot delete {m}: {', '.join(ps)}" for m, ps in problems.items()]
            text = errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]"
            ctx.print(f'error: unable to drain node "{name}" due to error: {text}, continuing command...')
            fatal.append(errs)
            remaining.append(name)
            continue
        if warnings:
            ctx.print("Warning: " + "; ".join(f"{m}: {', '.join(ps)}" for m, ps in warnings.items()))
        victims = [p for p, (delete, _, _) in decided if delete]
        evicted = []
        for p in victims:
            ctx.print(f"evicting pod {objects.namespace_of(p)}/{objects.name_of(p)}{' (dry run)' if dry_run else ''}")
        if not dry_run:
            grace = flags["grace-period"]
            refused = []
            for p in victims:
                ns, pname = objects.namespace_of(p), objects.name_of(p)
                try:
                    if flags.get("disable-eviction"):
                        ctx.store.delete(kinds.POD, ns, pname, grace_period_seconds=None if grace < 0 else grace)
                    else:
                        result = eviction.evict(ctx.store, ns, pname, now=ctx.now(),
                                                grace_period_seconds=None if grace < 0 else grace)
                        if result.get("status") != "Success":
                            raise errors.ApiError(result.get("message", ""))
                except errors.NotFound:
                    pass
                except errors.TooManyRequests as e:
                    # Real kubectl retries every 5 s until --timeout; the terminal cannot block,
                    # so it says what kubectl says on its first refusal and leaves the node pending.
                    ctx.print(f'error when evicting pods/"{pname}" -n "{ns}" (will retry after 5s): {e.message}')
                    refused.append(f'error when evicting pods/"{pname}" -n "{ns}": {e.message}')
                    continue
                except errors.ApiError as e:
                    refused.append(f'error when evicting pods/"{pname}" -n "{ns}": {e.message}')
                    continue
                evicted.append(p)
            for p in evicted:
                ctx.print(f"pod/{objects.name_of(p)} evicted")
            if refused:
                text = refused[0] if len(refused) == 1 else "[" + ", ".join(refused) + "]"
                ctx.print(f'There are pending pods in node "{name}" when an error occurred: {text}')
                ctx.print(f'error: unable to drain node "{name}" due to error: {text}, continuing command...')
                fatal.append(refused)
                remaining.append(name)
                continue
            ctx.print(f"node/{name} drained")
    if remaining:
        ctx.print("There are pending nodes to be drained:\n" + "".join(f" {n}\n" for n in remaining).rstrip("\n"))
        # kubectl returns an aggregate: printed one error per line, without `error: `
        if len(fatal) == 1:
            raise PrintedError("\n".join(fatal[0]))
        raise PrintedError("\n".join("[" + ", ".join(errs) + "]" if len(errs) > 1 else errs[0] for errs in fatal))
    return 0


# ---- logs ---------------------------------------------------------------------------------------

@command("logs", Flag("container", "c"), Flag("tail", kind="int", default=-1), Flag("previous", "p", "bool"),
         Flag("follow", "f", "bool"), Flag("timestamps", kind="bool"), Flag("all-containers", kind="bool"),
         Flag("selector", "l"), Flag("since"))
def logs(ctx: Ctx, args: list[str], flags: dict) -> int:
    if not args:
        raise UsageError("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
                         "POD or TYPE/NAME is a required argument for the logs command")
    target = args[0]
    container = flags.get("container") or (args[1] if len(args) > 1 else None)
    if "/" in target:
        kind, _, name = target.partition("/")
        from . import resolve
        rt = resolve.one(kind)
        if rt is kinds.POD:
            pod = _get_pod(ctx, name)
        else:
            owner = ctx.store.try_get(rt, ctx.namespace, name)
            if owner is None:
                raise CommandError(f'error from server (NotFound): {rt.qualified} "{name}" not found in '
                                   f'namespace "{ctx.namespace}"')
            sel = ((owner.get("spec") or {}).get("selector") or {})
            match = ",".join(f"{k}={v}" for k, v in sorted((sel.get("matchLabels") or {}).items()))
            pods, _ = ctx.store.list(kinds.POD, ctx.namespace, label_selector=match or None)
            if not pods:
                raise CommandError("timed out waiting for the condition")
            pods.sort(key=lambda p: (p.get("status") or {}).get("phase") != "Running")
            pod = pods[0]
            if len(pods) > 1:
                ctx.print(f"Found {len(pods)} pods, using pod/{objects.name_of(pod)}")
    else:
        pod = _get_pod(ctx, target)
    names = [c["name"] for c in (pod.get("spec") or {}).get("containers") or []]
    if container is None:
        default = ((pod.get("metadata") or {}).get("annotations") or {}).get("kubectl.kubernetes.io/default-container")
        container = default if default in names else (names[0] if names else "")
        if len(names) > 1 and not flags.get("all-containers"):
            ctx.print(f'Defaulted container "{container}" out of: {", ".join(names)}')
    if container not in names:
        raise errors.BadRequest(f"container {container} is not valid for pod {objects.name_of(pod)}")
    state = next((s.get("state") or {} for s in (pod.get("status") or {}).get("containerStatuses") or []
                  if s.get("name") == container), {})
    if "waiting" in state or not state:
        reason = (state.get("waiting") or {}).get("reason") or "ContainerCreating"
        raise errors.BadRequest(f'container "{container}" in pod "{objects.name_of(pod)}" is waiting to start: {reason}')
    kubelets = None
    try:
        kubelets = ctx.cluster.controller("kubelet")
    except (AttributeError, KeyError):
        pass
    text = kubelets.logs(objects.namespace_of(pod), objects.name_of(pod), container) if hasattr(kubelets, "logs") else ""
    if flags["tail"] >= 0:
        text = "".join(text.splitlines(keepends=True)[-flags["tail"]:]) if flags["tail"] else ""
    ctx.write(text if not text or text.endswith("\n") else text + "\n")
    if flags.get("follow"):
        ctx.print("(the kubeplay terminal cannot stream: -f shows the log once)")
    return 0


def _get_pod(ctx: Ctx, name: str) -> dict:
    try:
        return ctx.store.get(kinds.POD, ctx.namespace, name)
    except errors.NotFound:
        raise CommandError(f'error from server (NotFound): pods "{name}" not found in namespace '
                           f'"{ctx.namespace}"') from None


# ---- events -------------------------------------------------------------------------------------

def event_sort_time(ev: dict) -> float:
    """kubectl util/event SortableEvents' time: a series' lastObservedTime, else lastTimestamp,
    else eventTime."""
    series = ev.get("series") or {}
    for t in (series.get("lastObservedTime"), ev.get("lastTimestamp"), ev.get("eventTime")):
        v = objects.parse_time(t)
        if v is not None:
            return v
    return 0.0


def event_interval(ev: dict, now: float) -> str:
    """getInterval: `5m`, or `2m (x4 over 10m)` for a repeated event."""
    first = printers.translate_timestamp_since(ev.get("eventTime"), now) if ev.get("eventTime") \
        else printers.translate_timestamp_since(ev.get("firstTimestamp"), now)
    series = ev.get("series")
    if series:
        return (f"{printers.translate_timestamp_since(series.get('lastObservedTime'), now)} "
                f"(x{series.get('count', 0)} over {first})")
    if (ev.get("count") or 0) > 1:
        return f"{printers.translate_timestamp_since(ev.get('lastTimestamp'), now)} (x{ev['count']} over {first})"
    return first


@command("events", Flag("all-namespaces", "A", "bool"), Flag("types", kind="list"), Flag("for"),
         Flag("watch", "w", "bool"), Flag("no-headers", kind="bool"))
def events(ctx: Ctx, args: list[str], flags: dict) -> int:
    all_ns = bool(flags.get("all-namespaces"))
    items, _ = ctx.store.list(kinds.EVENT, None if all_ns else ctx.namespace)
    if flags.get("types"):
        wanted = {t.lower() for t in flags["types"]}
        items = [e for e in items if (e.get("type") or "").lower() in wanted]
    if flags.get("for"):
        kind, _, name = flags["for"].rpartition("/")
        items = [e for e in items if (e.get("involvedObject") or {}).get("name") == name
                 and (not kind or (e.get("involvedObject") or {}).get("kind", "").lower() == kind.lower()
                      or kind.lower() in ("po", "pod", "pods") and e["involvedObject"].get("kind") == "Pod")]
    if not items:
        ctx.print("No events found." if all_ns else f"No events found in {ctx.namespace} namespace.")
        return 0
    items.sort(key=event_sort_time)
    now = ctx.now()
    tw = TabWriter(*GET)
    if not flags.get("no-headers"):
        tw.write(("NAMESPACE\t" if all_ns else "") + "LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n")
    for e in items:
        inv = e.get("involvedObject") or {}
        tw.write((f"{objects.namespace_of(e)}\t" if all_ns else "")
                 + f"{event_interval(e, now)}\t{e.get('type', '')}\t{e.get('reason', '')}\t"
                   f"{inv.get('kind', '')}/{inv.get('name', '')}\t{(e.get('message') or '').strip()}\n")
    ctx.write(tw.getvalue())
    return 0
