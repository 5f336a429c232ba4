"""`kubectl describe node`: conditions, addresses, capacity, the lease, and the node's
non-terminated pods with their requests and limits as shares of allocatable (quantities summed
and printed as apimachinery's Quantity does, via engine/quantity.py)."""
from __future__ import annotations

from engine import errors, objects, resources as kinds
from engine import quantity
from webapp.api import printers
from .cli import Ctx
from .describe import Writer, annotations_multiline, events_section, labels_multiline, rfc1123z, taints_multiline
from .errors import render


def _sum(quantities: list[str]) -> str:
    if not quantities:
        return "0"
    total = sum(quantity.parse_quantity(q) for q in quantities)
    return quantity.format_quantity(total, quantity.quantity_format(quantities[0]))


def _pod_totals(pod: dict, field: str) -> dict[str, list[str]]:
    """resourcehelper.PodRequests/PodLimits, simplified: sum of containers, max with any init container."""
    out: dict[str, list[str]] = {}
    for c in (pod.get("spec") or {}).get("containers") or []:
        for k, v in ((c.get("resources") or {}).get(field) or {}).items():
            out.setdefault(k, []).append(str(v))
    for c in (pod.get("spec") or {}).get("initContainers") or []:
        for k, v in ((c.get("resources") or {}).get(field) or {}).items():
            if quantity.parse_quantity(str(v)) > (sum(quantity.parse_quantity(x) for x in out.get(k, [])) or 0):
                out[k] = [str(v)]
    return out


def _pct(part: str, whole: str | None, milli: bool) -> int:
    if not whole:
        return 0
    w = quantity.milli_value(whole) if milli else quantity.int_value(whole)
    if not w:
        return 0
    p = quantity.milli_value(part) if milli else quantity.int_value(part)
    return int(p / w * 100)


def describe_node(ctx: Ctx, node: dict) -> str:
    w = Writer()
    md, spec, status = node.get("metadata") or {}, node.get("spec") or {}, node.get("status") or {}
    name = md.get("name")
    w.write(0, f"Name:\t{name}\n")
    roles = printers.node_roles(node)
    w.write(0, f"Roles:\t{roles}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    taints_multiline(w, "Taints", spec.get("taints"))
    w.write(0, f"Unschedulable:\t{'true' if spec.get('unschedulable') else 'false'}\n")
    lease = ctx.store.try_get(kinds.LEASE, "kube-node-lease", name)
    if lease is None:
        w.write(0, f"Lease:\tFailed to get lease: {render(errors.NotFound('leases', 'coordination.k8s.io', name)).split(': ', 1)[1]}\n")
    else:
        ls = lease.get("spec") or {}
        w.write(0, "Lease:\n")
        w.write(1, f"HolderIdentity:\t{ls.get('holderIdentity') or '<unset>'}\n")
        w.write(1, f"AcquireTime:\t{rfc1123z(ls['acquireTime']) if ls.get('acquireTime') else '<unset>'}\n")
        w.write(1, f"RenewTime:\t{rfc1123z(ls['renewTime']) if ls.get('renewTime') else '<unset>'}\n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type')} \t{c.get('status')} \t{rfc1123z(c.get('lastHeartbeatTime'))} \t"
                       f"{rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t{c.get('message', '')}\n")
    w.write(0, "Addresses:\n")
    for a in status.get("addresses") or []:
        w.write(1, f"{a.get('type')}:\t{a.get('address')}\n")
    for key, title in (("capacity", "Capacity"), ("allocatable", "Allocatable")):
        if status.get(key):
            w.write(0, f"{title}:\n")
            for r in sorted(status[key]):
                w.write(0, f"  {r}:\t{status[key][r]}\n")
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for label, field in (("Machine ID", "machineID"), ("System UUID", "systemUUID"), ("Boot ID", "bootID"),
                         ("Kernel Version", "kernelVersion"), ("OS Image", "osImage"),
                         ("Operating System", "operatingSystem"), ("Architecture", "architecture"),
                         ("Container Runtime Version", "containerRuntimeVersion"),
                         ("Kubelet Version", "kubeletVersion")):
        w.write(0, f"  {label}:\t{info.get(field, '')}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")
    pods, _ = ctx.store.list(kinds.POD, None, field_selector=f"spec.nodeName={name}")
    pods = [p for p in pods if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
    alloc = status.get("allocatable") or status.get("capacity") or {}
    now = ctx.now()
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    totals = {"requests": {}, "limits": {}}
    for p in pods:
        for field in ("requests", "limits"):
            t = _pod_totals(p, field)
            for k, v in t.items():
                totals[field].setdefault(k, []).extend(v)
        req, lim = _pod_totals(p, "requests"), _pod_totals(p, "limits")
        cr, cl = _sum(req.get("cpu", [])), _sum(lim.get("cpu", []))
        mr, ml = _sum(req.get("memory", [])), _sum(lim.get("memory", []))
        cells = [f"{cr} ({_pct(cr, alloc.get('cpu'), True)}%)", f"{cl} ({_pct(cl, alloc.get('cpu'), True)}%)",
                 f"{mr} ({_pct(mr, alloc.get('memory'), False)}%)", f"{ml} ({_pct(ml, alloc.get('memory'), False)}%)"]
        w.write(1, f"{objects.namespace_of(p)}\t{objects.name_of(p)}\t\t" + "\t".join(cells)
                   + f"\t{printers.translate_timestamp_since((p.get('metadata') or {}).get('creationTimestamp'), now)}\n")
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    for res, milli in (("cpu", True), ("memory", False), ("ephemeral-storage", False)):
        r, l_ = _sum(totals["requests"].get(res, [])), _sum(totals["limits"].get(res, []))
        w.write(1, f"{res}\t{r} ({_pct(r, alloc.get(res), milli)}%)\t{l_} ({_pct(l_, alloc.get(res), milli)}%)\n")
    for res in sorted(r for r in alloc if r.startswith("hugepages-")):
        r, l_ = _sum(totals["requests"].get(res, [])), _sum(totals["limits"].get(res, []))
        w.write(1, f"{res}\t{r} ({_pct(r, alloc.get(res), False)}%)\t{l_} ({_pct(l_, alloc.get(res), False)}%)\n")
    standard = ("cpu", "memory", "ephemeral-storage", "storage", "pods")
    for res in sorted(r for r in alloc if r not in standard and not r.startswith("hugepages-")
                      and not r.startswith("requests.") and not r.startswith("limits.")):
        w.write(1, f"{res}\t{_sum(totals['requests'].get(res, []))}\t{_sum(totals['limits'].get(res, []))}\n")
    events_section(ctx, w, node, also_uid=objects.name_of(node))
    return w.text()
