"""A pod status write's managedFields, worked out once for the pods whose write is alike.

The kubelet's status writes (Pending with the pod's IP, then Running and Ready) compare the
stored pod with the new one and update the field sets of its managedFields
(managedfields.record_update, ~50-70 µs a write). For the pods of a ReplicaSet the outcome is
the same but for the pod's own IP, a key in the set (`f:status.f:podIPs.k:{"ip":"10.244.3.7"}`),
and the entries' times. So the write is worked out once with the IPs as placeholders and kept
as a plan — per entry of the result: kept as it was, or its new set (with placeholders), or the
writer's new entry — and each pod's list is built from its own entries: its IPs put back (three
interned set nodes: engine/fieldsets.py), the writer's entry stamped now, sorted as
managedfields sorts.

Why it is exact: the set algebra of an update (compare, union, difference) works key by key,
and the placeholders are only ever keys under `f:status.f:podIPs`; times only stamp the
writer's entry and order the list. The guards send every other case to the full path — podIPs
that change or go, an entry owning podIPs the pod does not hold, a list naming IPs that is not
one made here, items other than a bare `{"ip": ...}`, metadata that changed, top-level fields
other than metadata and status (and those a status write skips), two entries of one manager,
ten or more (capManagers). The key is what the result depends on: each entry's identity
(manager, operation, version, subresource) and set (by identity: interned), the manager, and
the status change as fielddiff.compare makes it — equal fields left out, scalars by name,
lists and added parts by their interned change sets (engine/shared_diff.py: the kubelet's
conditions going Ready in another second give the very same sets), maps by their identity; the
table keeps what the key names by id, so the ids stay theirs. A list made here is noted with
its sets with placeholders and its IPs, so the pod's next status write is keyed like its
siblings'. tests/engine/test_pod_status_fields.py compares every pod status write of a
scale-up with the full path, and checks each guard.
"""
from __future__ import annotations

import operator

from . import fielddiff, managedfields, resources as kinds, shared_diff
from .bounded import Memo
from .fieldsets import MISSING, interned, item_key, shape_of

_TOP = frozenset(("apiVersion", "kind", "metadata", "spec", "status"))
_IP_KEYS = ("ip",)
_SHAPE = shape_of("v1", "Pod")

# What a write with placeholders came to: key → (its plan, the sets of the entries before, the
# parts the key names by id). Bounded; a miss costs the full computation once more.
_RESULTS: Memo[tuple] = Memo(16_384)
# A managedFields list this module stored → (that list, its entries' sets with placeholders,
# the IPs put in them).
_TEMPLATES: Memo[tuple] = Memo(65_536)
_PLACEHOLDER_LISTS: dict[int, list] = {}
_PLACEHOLDER_KEYS: dict[str, int] = {}


def _placeholders(n: int) -> list:
    """n podIPs items whose IPs no pod holds (one list per length, kept: its id is a key)."""
    got = _PLACEHOLDER_LISTS.get(n)
    if got is None:
        got = _PLACEHOLDER_LISTS[n] = [{"ip": f"<kubeplay placeholder {i}>"} for i in range(n)]
        for i, item in enumerate(got):
            key = item_key(item, "map", _IP_KEYS)
            assert key is not None
            _PLACEHOLDER_KEYS[key] = i
    return got


def _ips_of(items) -> tuple | None:
    """The IPs of a podIPs list of bare, distinct `{"ip": str}` items; None for anything else."""
    if type(items) is not list or not items:
        return None
    ips = []
    for it in items:
        if type(it) is not dict or len(it) != 1 or type(it.get("ip")) is not str:
            return None
        ips.append(it["ip"])
    out = tuple(ips)
    return out if len(set(out)) == len(out) else None


def record_update(old: dict, new: dict, manager: str, now_iso: str) -> bool:
    """managedfields.record_update(POD, old, new, manager, now_iso, subresource="status",
    shared=True) when the write is one this handles; False (nothing done) when it is not."""
    omd, nmd = old["metadata"], new["metadata"]
    live = omd.get("managedFields")
    if type(live) is not list or not live or len(live) >= managedfields.MAX_UPDATE_MANAGERS:
        return False
    if "managedFields" in nmd or len(omd) != len(nmd) + 1:
        return False
    for k, v in nmd.items():
        ov = omd.get(k, MISSING)
        if ov is not v and ov != v:
            return False
    if not (_TOP.issuperset(new) and _TOP.issuperset(old)):
        return False
    ostat, nstat = old.get("status"), new.get("status")
    if type(ostat) is not dict or type(nstat) is not dict:
        return False

    if any(type(e) is not dict for e in live):
        return False
    live_ips = None
    noted = _TEMPLATES.get(id(live))
    if noted is not None and noted[0] is live:
        sets, live_ips = noted[1], noted[2]
    elif _owns_pod_ips(live):
        # A list that names this pod's IPs and is not one of ours (or no longer in the table):
        # keyed on it, the result would serve no other pod — the full path, which is cheaper.
        return False
    else:
        sets = tuple([e.get("fieldsV1") for e in live])
    idents = tuple(map(managedfields.identity, live))
    if len(set(idents)) != len(idents):
        return False
    added: tuple | None = None          # the IPs this write adds (none before)
    if "podIPs" not in nstat:
        if "podIPs" in ostat:
            return False
        ips = live_ips
    else:
        ips = _ips_of(nstat["podIPs"])
        if ips is None:
            return False
        if "podIPs" in ostat:
            if ostat["podIPs"] != nstat["podIPs"] or (live_ips is not None and live_ips != ips):
                return False
        elif live_ips is not None:
            return False
        else:
            added = ips

    sig, parts = _signature(ostat, nstat, len(added) if added else 0)
    if sig is None:
        return False
    key = (idents, tuple(map(id, sets)), manager, sig)
    got = _RESULTS.get(key)
    if got is None or not all(map(operator.is_, got[1], sets)):
        template = live if noted is None else [dict(e, fieldsV1=f) for e, f in zip(live, sets)]
        result = _masked_result(old, new, template, added, manager, now_iso)
        got = _RESULTS.put(key, (_plan(result, template, idents, manager), sets, parts))
    plan = got[0]
    if plan is None:
        nmd.pop("managedFields", None)
    elif plan is _UNCHANGED:
        nmd["managedFields"] = live          # nothing changed: the very list the pod had
    else:
        pairs = []
        for j, fields, sub in plan:
            if fields is None:              # an entry the write left as it was
                pairs.append((live[j], sets[j]))
                continue
            real = _put_back(sub, ips) if sub is not None and ips else fields
            if j is None:                   # the writer's own entry, stamped now
                e = managedfields._entry(manager, managedfields.UPDATE, "v1", "status", now_iso, real)
            else:                           # another manager's, less what this write took
                e = dict(live[j], fieldsV1=real)
            pairs.append((e, fields))
        pairs.sort(key=_pair_order)          # (stable, as managedfields._sorted)
        out = [e for e, _ in pairs]
        nmd["managedFields"] = out
        _TEMPLATES.put(id(out), (out, tuple([f for _, f in pairs]), ips))
    return True


def _pair_order(pair: tuple) -> tuple:
    return managedfields.sort_key(pair[0])


def _owns_pod_ips(entries: list) -> bool:
    for e in entries:
        fs = e.get("fieldsV1") if type(e) is dict else None
        if type(fs) is not dict:
            return True                     # (not a set: the full path says what it means)
        st = fs.get("f:status")
        if st is not None and (type(st) is not dict or "f:podIPs" in st):
            return True
    return False


_UNCHANGED = "unchanged"


def _plan(result: list | None, template: list, idents: tuple, manager: str) -> list | str | None:
    """What the write did to each entry, without their times (so pods written in other seconds
    share it): None (no entries left), _UNCHANGED, or per entry of the result (index in the
    list before or None for the writer's new entry, its set with placeholders or None when it
    is the entry as it was, where the placeholders are in that set)."""
    if result is None:
        return None
    if result is template:
        return _UNCHANGED
    me = (manager, managedfields.UPDATE, "v1", "status")
    steps: list[tuple] = []
    for e in result:
        ident = managedfields.identity(e)
        fields = e.get("fieldsV1")
        if ident == me:
            steps.append((None, fields, _where_placeholders(fields)))
            continue
        j = idents.index(ident)
        if e is template[j]:
            steps.append((j, None, None))
        else:
            steps.append((j, fields, _where_placeholders(fields)))
    return steps


def _signature(ostat: dict, nstat: dict, added_ips: int) -> tuple[tuple | None, list]:
    """What fielddiff.compare(shared=True) of the two statuses depends on (podIPs left out:
    equal, or added as `added_ips` placeholders), and the parts it names by id."""
    sig: list = []
    parts: list = []
    for k, bv in nstat.items():
        if k == "podIPs":
            if added_ips:
                sig.append(("ips", added_ips))
            continue
        av = ostat.get(k, MISSING)
        if av is bv:
            continue
        tb = type(bv)
        if av is MISSING:
            if tb is dict or tb is list:
                if (not bv or (tb is list and _SHAPE.list_type("status." + k)[0] == "atomic")
                        or (tb is dict and _SHAPE.atomic_map("status." + k))):
                    sig.append(("a", k))            # a leaf, whatever it holds
                else:
                    # its set, as compare makes it (remembered by the part's identity): equal
                    # sets are one interned node, whatever second or pod they came from
                    node = shared_diff.added_node(bv, "status." + k, _SHAPE, fielddiff._shared_subtree)
                    sig.append(("a", k, id(node)))
                    parts.append(node)
            elif isinstance(bv, (dict, list)):
                return None, parts                  # (subclasses: the full path)
            else:
                sig.append(("a", k))
            continue
        if av == bv:
            continue
        ta = type(av)
        if ta is dict and tb is dict and not _SHAPE.atomic_map("status." + k):
            sig.append(("d", k, id(av), id(bv)))
            parts.extend((av, bv))
        elif ta is list and tb is list and _SHAPE.list_type("status." + k)[0] != "atomic":
            # the item-by-item changes, as compare makes them (interned: the same transition
            # of the kubelet's conditions in another second is the same three sets)
            ch = shared_diff.list_changes(av, bv, "status." + k, _SHAPE, fielddiff._cmp_list)
            if ch is None:
                sig.append(("m", k))
            else:
                sig.append(("l", k, id(ch.added), id(ch.modified), id(ch.removed)))
                parts.append(ch)
        elif isinstance(av, (dict, list)) and isinstance(bv, (dict, list)) and (ta is not tb or ta not in (dict, list)):
            return None, parts
        else:
            sig.append(("m", k))
    if len(ostat) > len(nstat) or any(k not in nstat for k in ostat):
        for k, av in ostat.items():
            if k not in nstat:
                if type(av) is dict or type(av) is list:
                    sig.append(("r", k, id(av)))
                    parts.append(av)
                elif isinstance(av, (dict, list)):
                    return None, parts
                else:
                    sig.append(("r", k))
    return tuple(sig), parts


def _masked_result(old: dict, new: dict, template: list, added_ips: tuple | None, manager: str,
                   now_iso: str) -> list | None:
    """The full path's managedFields for the pod with `template` for its list and its podIPs
    masked: left out of both (equal, or absent) or added as placeholders."""
    ostat = {k: v for k, v in old["status"].items() if k != "podIPs"}
    nstat = {k: v for k, v in new["status"].items() if k != "podIPs"}
    if added_ips:
        nstat["podIPs"] = _placeholders(len(added_ips))
    mold = dict(old, status=ostat)
    mold["metadata"] = dict(old["metadata"], managedFields=template)
    mnew = dict(new, status=nstat)
    mnew["metadata"] = dict(new["metadata"])
    managedfields.record_update(kinds.POD, mold, mnew, manager, now_iso, subresource="status", shared=True)
    return mnew["metadata"].get("managedFields")


def _where_placeholders(fields) -> tuple | None:
    """For a set holding placeholder IP keys: its items but f:status, its f:status's items but
    f:podIPs, and f:podIPs' items each with its placeholder's index (None elsewhere) — what
    _put_back needs to build a pod's three nodes. None for a set without placeholders."""
    st = fields.get("f:status") if type(fields) is dict else None
    pod_ips = st.get("f:podIPs") if type(st) is dict else None
    if st is None or not pod_ips or not any(k in _PLACEHOLDER_KEYS for k in pod_ips):
        return None
    return ([(k, v) for k, v in fields.items() if k != "f:status"],
            [(k, v) for k, v in st.items() if k != "f:podIPs"],
            [(_PLACEHOLDER_KEYS.get(k), k, v) for k, v in pod_ips.items()])


def _put_back(sub: tuple, ips: tuple) -> dict:
    """The set _where_placeholders took apart, with the placeholder IP keys replaced by `ips`."""
    fs_rest, st_rest, ip_items = sub
    node = interned([(k if n is None else item_key({"ip": ips[n]}, "map", _IP_KEYS), v) for n, k, v in ip_items])
    st = interned([*st_rest, ("f:podIPs", node)])
    return interned([*fs_rest, ("f:status", st)])
