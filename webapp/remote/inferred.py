"""The reconcile log of a real cluster, told from what its watch shows.

A real cluster keeps no record of its controllers' decisions for us to read (the engine's
DecisionLog, engine/decisions.py, is the simulation's). What a page can know is what changed:
a ReplicaSet's `replicas` against its `readyReplicas`, a rollout's new and old ReplicaSets, a
node's conditions, taints and cordon. Each change becomes a line in the DecisionLog's shape,
with `inferred: true` and words that say it was read off the state ("status shows …"), never that
a controller decided it; the Events the cluster writes are drawn by the page as they come.

Nothing is told about the first list of a kind (that is the cluster as found, not a change)."""
from __future__ import annotations

import time

from engine import DecisionLog, resources as kinds

CAPACITY = 2000


class WallClock:
    """A real cluster runs on the wall clock."""

    @staticmethod
    def now() -> float:
        return time.time()


class InferredLog(DecisionLog):
    """The engine's DecisionLog (its `since`, `last_seq`) on the wall clock, plus `observe`, fed
    by the mirror; every line says whether it was inferred."""

    def __init__(self, capacity: int = CAPACITY):
        super().__init__(WallClock(), capacity)

    def record(self, controller: str, key: str, *, action: str, message: str, observed=None,  # type: ignore[override]
               desired=None, refs: list[str] | None = None, inferred: bool = True,
               requester: str | None = None) -> None:
        """`inferred`: read off watched state (the default); False for what the page itself sent
        (`requester` then says who asked, as the engine's log does)."""
        super().record(controller, key, action=action, message=message, observed=observed, desired=desired,
                       refs=refs, requester=requester, extra={"inferred": inferred})

    def observe(self, rt, etype: str, old: dict | None, new: dict, mirror) -> None:
        """One watched change (the mirror calls this under its lock, so `mirror` is consistent)."""
        if rt.name not in mirror._synced:
            return
        if rt is kinds.REPLICASET:
            self._replicaset(etype, old, new)
        elif rt is kinds.DEPLOYMENT:
            self._deployment(etype, old, new, mirror)
        elif rt is kinds.NODE:
            self._node(etype, old, new)

    def _replicaset(self, etype, old, new) -> None:
        key = _key(new)
        if etype == "DELETED":
            self.record("replicaset-controller", key, action="deleted",
                        message=f"ReplicaSet {key} is gone (watch: deleted)")
            return
        now, before = _rs_counts(new), _rs_counts(old) if old else None
        if now == before:
            return
        desired, current, ready = now
        if current < desired:
            doing = f"short of {desired - current}: pods are being created"
        elif current > desired:
            doing = f"{current - desired} too many: pods are being deleted"
        elif ready < desired:
            doing = f"waiting for {desired - ready} to become ready"
        else:
            doing = "all ready"
        self.record("replicaset-controller", key, action="scale" if desired != current else "wait",
                    observed=current, desired=desired,
                    message=f"ReplicaSet {key}: status shows desired {desired}, current {current}, "
                            f"ready {ready}: {doing}")

    def _deployment(self, etype, old, new, mirror) -> None:
        key = _key(new)
        if etype == "DELETED":
            return
        now, before = _deploy_counts(new), _deploy_counts(old) if old else None
        if now == before:
            return
        desired, updated, ready, total = now
        uid = (new.get("metadata") or {}).get("uid")
        sets = [rs for rs in mirror._objects.get(kinds.REPLICASET.name, {}).values()
                if any(r.get("uid") == uid and r.get("controller") for r in (rs.get("metadata") or {}).get("ownerReferences") or [])]
        revision = ((new.get("metadata") or {}).get("annotations") or {}).get("deployment.kubernetes.io/revision")
        new_rs = [rs for rs in sets if ((rs.get("metadata") or {}).get("annotations") or {}).get(
            "deployment.kubernetes.io/revision") == revision]
        old_live = [rs for rs in sets if rs not in new_rs and ((rs.get("spec") or {}).get("replicas") or 0) > 0]
        if updated >= desired and ready >= desired and total == desired and not old_live:
            message = f"Deployment {key}: rollout complete: {desired} of {desired} up to date and ready"
            action = "complete"
        elif old_live:
            names = ", ".join(f"{(rs.get('metadata') or {}).get('name')} ({(rs.get('spec') or {}).get('replicas') or 0})"
                              for rs in old_live)
            nname = (new_rs[0].get("metadata") or {}).get("name") if new_rs else "?"
            message = (f"Deployment {key}: rolling out revision {revision}: new ReplicaSet {nname} has "
                       f"{updated} up to date, {ready} ready of {desired}; old ReplicaSets still running: {names}")
            action = "rollout"
        else:
            message = f"Deployment {key}: status shows {updated} up to date, {ready} ready of {desired}"
            action = "wait"
        self.record("deployment-controller", key, action=action, observed=ready, desired=desired, message=message)

    def _node(self, etype, old, new) -> None:
        name = (new.get("metadata") or {}).get("name")
        key = f"node:{name}"
        if etype == "DELETED":
            self.record("node-lifecycle-controller", key, action="deleted", message=f"Node {name} is gone (watch: deleted)")
            return
        if old is None:
            self.record("node-lifecycle-controller", key, action="joined", message=f"Node {name} joined the cluster")
            return
        was, now = _ready(old), _ready(new)
        if was[0] != now[0]:
            why = f" ({now[1]}: {now[2]})" if now[1] or now[2] else ""
            self.record("node-lifecycle-controller", key, action="condition",
                        message=f"Node {name}: Ready {was[0]} → {now[0]}{why}")
        was_c, now_c = bool((old.get("spec") or {}).get("unschedulable")), bool((new.get("spec") or {}).get("unschedulable"))
        if was_c != now_c:
            self.record("node-lifecycle-controller", key, action="cordon",
                        message=f"Node {name}: {'cordoned (spec.unschedulable)' if now_c else 'uncordoned'}")
        before, after = _taints(old), _taints(new)
        for t in sorted(after - before):
            self.record("node-lifecycle-controller", key, action="taint", message=f"Node {name}: taint {t} added")
        for t in sorted(before - after):
            self.record("node-lifecycle-controller", key, action="taint", message=f"Node {name}: taint {t} removed")


def _key(obj: dict) -> str:
    md = obj.get("metadata") or {}
    return f"{md.get('namespace')}/{md.get('name')}" if md.get("namespace") else str(md.get("name"))


def _rs_counts(rs: dict) -> tuple[int, int, int]:
    st = rs.get("status") or {}
    return ((rs.get("spec") or {}).get("replicas") or 0, st.get("replicas") or 0, st.get("readyReplicas") or 0)


def _deploy_counts(d: dict) -> tuple[int, int, int, int]:
    st = d.get("status") or {}
    desired = (d.get("spec") or {}).get("replicas")
    return (1 if desired is None else desired, st.get("updatedReplicas") or 0, st.get("readyReplicas") or 0,
            st.get("replicas") or 0)


def _ready(node: dict) -> tuple[str, str, str]:
    for c in (node.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return (c.get("status") or "Unknown", c.get("reason") or "", c.get("message") or "")
    return ("Unknown", "", "")


def _taints(node: dict) -> set[str]:
    out = set()
    for t in (node.get("spec") or {}).get("taints") or []:
        value = f"={t['value']}" if t.get("value") else ""
        out.add(f"{t.get('key')}{value}:{t.get('effect')}")
    return out
