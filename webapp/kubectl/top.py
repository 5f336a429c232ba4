"""`kubectl top pod` and `kubectl top node` for the page's terminal, printing what k/kubectl
`pkg/cmd/top` prints from the same figures the metrics API serves (engine.usage): CPU in
millicores rounded up (`Quantity.MilliValue`), memory in MiB rounded down, node percentages of
allocatable, every cell tab-terminated (so the last column is padded too, as kubectl's is)."""
from __future__ import annotations

import math

from engine import errors, objects, quantity, resources as kinds, usage
from .cli import Ctx, Flag, command
from .errors import CommandError
from .tabwriter import GET, TabWriter

POD_FLAGS = (Flag("selector", "l"), Flag("all-namespaces", "A", "bool"), Flag("containers", kind="bool"),
             Flag("sort-by"), Flag("no-headers", kind="bool"), Flag("field-selector"))
NODE_FLAGS = (Flag("selector", "l"), Flag("sort-by"), Flag("no-headers", kind="bool"),
              Flag("show-capacity", kind="bool"))


def _cpu(nanocores: int) -> int:
    return math.ceil(nanocores / 1_000_000)


def _mib(memory_bytes: int) -> int:
    return memory_bytes // (1024 * 1024)


def _sorted(rows: list, by: str | None, cpu, memory) -> list:
    if not by:
        return rows
    if by not in ("cpu", "memory"):
        raise CommandError("--sort-by accepts only cpu or memory")
    key = cpu if by == "cpu" else memory
    return sorted(rows, key=key, reverse=True)


def _top_pods(ctx: Ctx, args: list[str], flags: dict) -> int:
    ns = None if flags.get("all-namespaces") else ctx.namespace
    if args:
        pods = [p for p in [ctx.store.try_get(kinds.POD, ctx.namespace, args[0])] if p is not None]
    else:
        pods, _ = ctx.store.list(kinds.POD, ns, label_selector=flags.get("selector"),
                                 field_selector=flags.get("field-selector"))
    now = ctx.now()
    found = []
    for pod in pods:
        samples = usage.pod_usage(pod, now)
        if samples is not None:
            found.append((pod, samples))
    if args and not found:
        raise errors.NotFound("podmetrics", "metrics.k8s.io", f"{ctx.namespace}/{args[0]}")
    if not found:
        where = "" if ns is None else f" in {ns} namespace"
        raise CommandError(f"Metrics not available for pods{where}" if pods else f"No resources found{where}.")
    total = lambda item: sum(u.cpu_nanocores for _, u in item[1])          # noqa: E731
    mem = lambda item: sum(u.memory_bytes for _, u in item[1])             # noqa: E731
    found = _sorted(found, flags.get("sort-by"), total, mem)
    w = TabWriter(*GET)
    all_ns = ns is None
    if not flags.get("no-headers"):
        w.write(("NAMESPACE\t" if all_ns else "") + ("POD\tNAME\t" if flags.get("containers") else "NAME\t")
                + "CPU(cores)\tMEMORY(bytes)\t\n")
    for pod, samples in found:
        prefix = f"{objects.namespace_of(pod)}\t" if all_ns else ""
        if flags.get("containers"):
            for name, u in samples:
                w.write(f"{prefix}{objects.name_of(pod)}\t{name}\t{_cpu(u.cpu_nanocores)}m\t{_mib(u.memory_bytes)}Mi\t\n")
        else:
            cpu = sum(u.cpu_nanocores for _, u in samples)
            memory = sum(u.memory_bytes for _, u in samples)
            w.write(f"{prefix}{objects.name_of(pod)}\t{_cpu(cpu)}m\t{_mib(memory)}Mi\t\n")
    w.flush()
    ctx.write(w.getvalue())
    return 0


def _top_nodes(ctx: Ctx, args: list[str], flags: dict) -> int:
    if args:
        nodes = [ctx.store.get(kinds.NODE, "", args[0])]
    else:
        nodes, _ = ctx.store.list(kinds.NODE, None, label_selector=flags.get("selector"))
    pods, _ = ctx.store.list(kinds.POD, None)
    now = ctx.now()
    by_node: dict[str, list[dict]] = {}
    for p in pods:
        by_node.setdefault((p.get("spec") or {}).get("nodeName") or "", []).append(p)
    rows = []
    for node in nodes:
        u = usage.node_usage(by_node.get(objects.name_of(node), []), now)
        status = node.get("status") or {}
        available = status.get("capacity" if flags.get("show-capacity") else "allocatable") or {}
        cpu_avail = quantity.milli_value(available.get("cpu", "0"))
        mem_avail = quantity.int_value(available.get("memory", "0"))
        cpu_m = _cpu(u.cpu_nanocores)
        rows.append((objects.name_of(node), cpu_m, cpu_m * 100 // cpu_avail if cpu_avail else 0,
                     u.memory_bytes, u.memory_bytes * 100 // mem_avail if mem_avail else 0))
    rows = _sorted(rows, flags.get("sort-by"), lambda r: r[1], lambda r: r[3])
    w = TabWriter(*GET)
    if not flags.get("no-headers"):
        w.write("NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t\n")
    for name, cpu_m, cpu_pct, memory, mem_pct in rows:
        w.write(f"{name}\t{cpu_m}m\t{cpu_pct}%\t{_mib(memory)}Mi\t{mem_pct}%\t\n")
    w.flush()
    ctx.write(w.getvalue())
    return 0


for _path in ("top pod", "top pods", "top po"):
    command(_path, *POD_FLAGS)(_top_pods)
for _path in ("top node", "top nodes", "top no"):
    command(_path, *NODE_FLAGS)(_top_nodes)
