"""The in-page terminal's commands for PodDisruptionBudgets, ResourceQuotas and LimitRanges:
`create poddisruptionbudget|pdb`, `create quota|resourcequota` (k/kubectl pkg/cmd/create
create_pdb.go, create_quota.go) and their describers (pkg/describe describePodDisruptionBudgetV1,
describeQuota, describeLimitRange), plus the quota and limit-range sections `describe namespace`
prints now that both kinds are served."""
from __future__ import annotations

import re

from engine import errors, parse_label_selector, quantity
from engine import resources as kinds
from . import describers
from .cli import Ctx, Flag, UsageError, command
from .describe import Writer, events_section
from .describe import selector_string as format_selector
from .errors import CommandError
from .workloads import DRY_RUN, OUTPUT, _create, _one_name

_PDB_VALUE = re.compile(r"^[0-9]+%?$")
_SCOPE_HELP = {
    "Terminating": "Matches all pods that have an active deadline. These pods have a limited lifespan on a node "
                   "before being actively terminated by the system.",
    "NotTerminating": "Matches all pods that do not have an active deadline. These pods usually include long "
                      "running pods whose container command is not expected to terminate.",
    "BestEffort": "Matches all pods that do not have resource requirements set. These pods have a best effort "
                  "quality of service.",
    "NotBestEffort": "Matches all pods that have at least one resource requirement set. These pods have a "
                     "burstable or guaranteed quality of service.",
}


# ---- create -------------------------------------------------------------------------------------

def _label_selector(text: str) -> dict:
    """metav1.ParseToLabelSelector: equality requirements as matchLabels, the rest as expressions."""
    try:
        reqs = parse_label_selector(text)
    except errors.ApiError as e:
        raise CommandError(e.message) from None
    match_labels: dict = {}
    exprs: list = []
    for key, op, values in reqs:
        if op == "=":
            match_labels[key] = values[0]
        else:
            operator = {"!=": "NotIn", "in": "In", "notin": "NotIn", "exists": "Exists", "!": "DoesNotExist"}[op]
            exprs.append({"key": key, "operator": operator, **({"values": list(values)} if values else {})})
    sel: dict = {}
    if match_labels:
        sel["matchLabels"] = match_labels
    if exprs:
        sel["matchExpressions"] = exprs
    return sel


def _int_or_string(v: str):
    return int(v) if v.isdigit() else v


def create_pdb(ctx: Ctx, args: list[str], flags: dict) -> int:
    name = _one_name(args)
    selector, min_av, max_un = flags.get("selector") or "", flags.get("min-available") or "", \
        flags.get("max-unavailable") or ""
    if not selector:
        raise CommandError("a selector must be specified")
    if not min_av and not max_un:
        raise CommandError("one of min-available or max-unavailable must be specified")
    if min_av and max_un:
        raise CommandError("min-available and max-unavailable cannot be both specified")
    if min_av and not _PDB_VALUE.match(min_av):
        raise CommandError("invalid format specified for min-available")
    if max_un and not _PDB_VALUE.match(max_un):
        raise CommandError("invalid format specified for max-unavailable")
    spec: dict = {"selector": _label_selector(selector)}
    if max_un:
        spec["maxUnavailable"] = _int_or_string(max_un)
    if min_av:
        spec["minAvailable"] = _int_or_string(min_av)
    _create(ctx, flags, {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                         "metadata": {"creationTimestamp": None, "name": name}, "spec": spec,
                         "status": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0,
                                    "expectedPods": 0}})
    return 0


def create_quota(ctx: Ctx, args: list[str], flags: dict) -> int:
    name = _one_name(args)
    hard: dict = {}
    for part in (flags.get("hard") or "").split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key or not value:
            raise CommandError(f"invalid argument syntax {part}, expected <resource>=<value>")
        try:
            hard[key.strip()] = quantity.canonical_quantity(value.strip())
        except quantity.QuantityError as e:
            raise CommandError(str(e)) from None
    spec: dict = {}
    if hard:
        spec["hard"] = hard
    scopes = [s.strip() for s in (flags.get("scopes") or "").split(",") if s.strip()]
    if scopes:
        spec["scopes"] = scopes
    _create(ctx, flags, {"apiVersion": "v1", "kind": "ResourceQuota",
                         "metadata": {"creationTimestamp": None, "name": name}, "spec": spec, "status": {}})
    return 0


_PDB_FLAGS = (Flag("selector"), Flag("min-available"), Flag("max-unavailable"), DRY_RUN, OUTPUT)
_QUOTA_FLAGS = (Flag("hard"), Flag("scopes"), DRY_RUN, OUTPUT)
for _path in ("create poddisruptionbudget", "create pdb"):
    command(_path, *_PDB_FLAGS)(create_pdb)
for _path in ("create quota", "create resourcequota"):
    command(_path, *_QUOTA_FLAGS)(create_quota)


# ---- describe -----------------------------------------------------------------------------------

def describe_pdb(ctx: Ctx, pdb: dict) -> str:
    w = Writer()
    md, spec, st = pdb.get("metadata") or {}, pdb.get("spec") or {}, pdb.get("status") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace')}\n")
    if spec.get("minAvailable") is not None:
        w.write(0, f"Min available:\t{spec['minAvailable']}\n")
    elif spec.get("maxUnavailable") is not None:
        w.write(0, f"Max unavailable:\t{spec['maxUnavailable']}\n")
    sel = spec.get("selector")
    w.write(0, f"Selector:\t{format_selector(sel) if sel is not None else '<unset>'}\n")
    w.write(0, "Status:\n")
    for label, key in (("Allowed disruptions", "disruptionsAllowed"), ("Current", "currentHealthy"),
                       ("Desired", "desiredHealthy"), ("Total", "expectedPods")):
        w.write(2, f"{label}:\t{int(st.get(key) or 0)}\n")
    events_section(ctx, w, pdb)
    return w.text()


def _used_text(used: str | None, hard: str) -> str:
    """describeQuota prints the used quantity in the hard quantity's format."""
    if used is None:
        return "0"
    try:
        return quantity.format_quantity(quantity.parse_quantity(used), quantity.quantity_format(hard))
    except quantity.QuantityError:
        return used


def _scopes(w: Writer, scopes, prefix: str, bullet: str) -> None:
    if scopes:
        names = sorted(scopes)
        w.write(0, f"{prefix}Scopes:\t{', '.join(names)}\n")
        for s in names:
            if s in _SCOPE_HELP:
                w.write(0, f"{bullet}* {_SCOPE_HELP[s]}\n")


def describe_quota(ctx: Ctx, rq: dict) -> str:
    w = Writer()
    md, st = rq.get("metadata") or {}, rq.get("status") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace')}\n")
    _scopes(w, (rq.get("spec") or {}).get("scopes"), "", " ")
    w.write(0, "Resource\tUsed\tHard\n")
    w.write(0, "--------\t----\t----\n")
    hard, used = st.get("hard") or {}, st.get("used") or {}
    for r in sorted(hard):
        w.write(0, f"{r}\t{_used_text(used.get(r), hard[r])}\t{hard[r]}\n")
    return w.text()


def _limit_rows(w: Writer, lr: dict, prefix: str) -> None:
    for item in (lr.get("spec") or {}).get("limits") or ():
        parts = [item.get(k) or {} for k in ("min", "max", "defaultRequest", "default", "maxLimitRequestRatio")]
        for r in sorted({r for p in parts for r in p}):
            cells = "\t".join(str(p.get(r, "-")) for p in parts)
            w.write(0, f"{prefix}{item.get('type', '')}\t{r}\t{cells}\n")


_LIMIT_HEADER = ("Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n",
                 "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n")


def describe_limit_range(ctx: Ctx, lr: dict) -> str:
    w = Writer()
    md = lr.get("metadata") or {}
    w.write(0, f"Name:\t{md.get('name')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace')}\n")
    w.write(0, _LIMIT_HEADER[0])
    w.write(0, _LIMIT_HEADER[1])
    _limit_rows(w, lr, "")
    return w.text()


_describe_namespace_alone = describers.DESCRIBERS["Namespace"]


def describe_namespace(ctx: Ctx, ns: dict) -> str:
    """describeNamespace: the namespace, then its quotas and limit ranges (DescribeResourceQuotas,
    DescribeLimitRanges)."""
    text = _describe_namespace_alone(ctx, ns)
    name = (ns.get("metadata") or {}).get("name", "")
    w = Writer()
    quotas, _ = ctx.store.list(kinds.RESOURCEQUOTA, name)
    w.write(0, "\n")
    if not quotas:
        w.write(0, "No resource quota.\n")
    else:
        w.write(0, "Resource Quotas\n")
        for q in quotas:
            w.write(0, f"  Name:\t{q['metadata']['name']}\n")
            _scopes(w, (q.get("spec") or {}).get("scopes"), "  ", "  ")
            w.write(0, "  Resource\tUsed\tHard\n")
            w.write(0, "  --------\t---\t---\n")
            hard, used = (q.get("status") or {}).get("hard") or {}, (q.get("status") or {}).get("used") or {}
            for r in sorted(hard):
                w.write(0, f"  {r}\t{used.get(r, '0')}\t{hard[r]}\n")
    ranges, _ = ctx.store.list(kinds.LIMITRANGE, name)
    w.write(0, "\n")
    if not ranges:
        w.write(0, "No LimitRange resource.\n")
    else:
        w.write(0, "Resource Limits\n " + _LIMIT_HEADER[0])
        w.write(0, " " + _LIMIT_HEADER[1])
        for lr in ranges:
            _limit_rows(w, lr, " ")
    return text + w.text()


describers.DESCRIBERS.update({"PodDisruptionBudget": describe_pdb, "ResourceQuota": describe_quota,
                              "LimitRange": describe_limit_range, "Namespace": describe_namespace})
__all__ = ["create_pdb", "create_quota", "UsageError"]
