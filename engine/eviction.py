"""The pods/eviction subresource (k/k pkg/registry/core/pod/storage/eviction.go): a delete that
asks the pod's PodDisruptionBudget first. What `kubectl drain` and the page's drain call.

- A pod that is Pending, Succeeded, Failed or already being deleted goes without a look at
  budgets (it is not serving; a Pending pod's delete is pinned to the resourceVersion read).
- More than one budget for the pod: a Status with code 500 (returned, not raised, as upstream).
- A budget whose status is behind its generation: 429 "still being processed by the server".
- No disruption allowed: 429 `Cannot evict pod as it would violate the pod's disruption
  budget.` with a DisruptionBudget cause naming the budget and its counts.
- Otherwise the budget's disruptionsAllowed goes down by one and the pod is recorded in its
  disruptedPods (the disruption controller leaves it out of currentHealthy until it is gone),
  the pod gets the DisruptionTarget condition, then the graceful delete.
An unready pod may go without using up the budget when the budget is met anyway (or its
unhealthyPodEvictionPolicy is AlwaysAllow)."""
from __future__ import annotations

from . import errors, objects, resources as kinds
from .disruption import ordered_status, pdbs_for_pod, set_allowed_condition
from .pod_conditions import is_pod_ready

TOO_MANY = "Cannot evict pod as it would violate the pod's disruption budget."
MORE_THAN_ONE = "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."
CAUSE = "DisruptionBudget"
RETRIES = 20                 # EvictionsRetry's steps
SUCCESS = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}


def _still_processing(pdb_name: str) -> errors.TooManyRequests:
    """createTooManyRequestsError."""
    return errors.TooManyRequests(TOO_MANY, retry_after=10, causes=[
        {"reason": CAUSE, "message": f"The disruption budget {pdb_name} is still being processed by the server."}])


def _can_ignore_pdb(pod: dict) -> bool:
    phase = (pod.get("status") or {}).get("phase")
    return phase in ("Succeeded", "Failed", "Pending") or objects.is_terminating(pod)


def evict(store, namespace: str, name: str, *, now: float, grace_period_seconds: int | None = None,
          preconditions: dict | None = None, dry_run: bool = False) -> dict:
    """Evict one pod. Returns the Status to answer with (201 Success, or the 500 for several
    budgets); raises NotFound, Conflict, TooManyRequests."""
    preconditions = dict(preconditions or {})
    user_rv = bool(preconditions.get("resourceVersion"))
    for _ in range(RETRIES):
        pod = store.get(kinds.POD, namespace, name)
        if not _can_ignore_pdb(pod):
            break
        pre = dict(preconditions)
        if (pod.get("status") or {}).get("phase") == "Pending" and not user_rv:
            pre["resourceVersion"] = objects.meta(pod).get("resourceVersion")
        try:
            _condition_and_delete(store, pod, now, grace_period_seconds, pre, dry_run)
        except errors.Conflict:
            if user_rv:
                raise
            continue
        return dict(SUCCESS)
    else:
        raise errors.Conflict("pods", "", name)

    pdbs = pdbs_for_pod(store, pod)
    if len(pdbs) > 1:
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": MORE_THAN_ONE, "code": 500}
    pin_rv = False
    if pdbs:
        pdb = pdbs[0]
        st = pdb.get("status") or {}
        spec = pdb.get("spec") or {}
        healthy_enough = (st.get("currentHealthy", 0) >= st.get("desiredHealthy", 0) > 0)
        if not is_pod_ready(pod) and (spec.get("unhealthyPodEvictionPolicy") == "AlwaysAllow" or healthy_enough):
            pin_rv = True            # an unready pod goes without using the budget
        else:
            _check_and_decrement(store, pod, pdb, now, dry_run)
    pre = dict(preconditions)
    if pin_rv and not user_rv:
        pre["resourceVersion"] = objects.meta(pod).get("resourceVersion")
    try:
        _condition_and_delete(store, pod, now, grace_period_seconds, pre, dry_run)
    except errors.Conflict:
        if pin_rv and not user_rv:
            raise _still_processing(objects.name_of(pdbs[0]))
        raise
    return dict(SUCCESS)


def _check_and_decrement(store, pod: dict, pdb: dict, now: float, dry_run: bool) -> None:
    pdb_name = objects.name_of(pdb)
    for _ in range(RETRIES):
        st = pdb.get("status") or {}
        generation = objects.meta(pdb).get("generation", 1)
        if st.get("observedGeneration", 0) < generation:
            raise _still_processing(pdb_name)
        allowed = st.get("disruptionsAllowed", 0)
        if allowed < 0:
            raise errors.Forbidden("poddisruptionbudget", "policy", pdb_name, "pdb disruptions allowed is negative")
        if allowed == 0:
            raise errors.TooManyRequests(TOO_MANY, causes=[{
                "reason": CAUSE, "message": f"The disruption budget {pdb_name} needs {st.get('desiredHealthy', 0)} "
                                            f"healthy pods and has {st.get('currentHealthy', 0)} currently"}])
        status = dict(st, disruptionsAllowed=allowed - 1)
        if allowed - 1 == 0:
            set_allowed_condition(status, generation, objects.iso(now))
        if dry_run:
            return
        status["disruptedPods"] = dict(st.get("disruptedPods") or {}, **{objects.name_of(pod): objects.iso(now)})
        try:
            store.update(dict(pdb, status=ordered_status(status)), subresource="status", manager="kube-apiserver")
            return
        except errors.Conflict:
            pdb = store.get(kinds.PODDISRUPTIONBUDGET, objects.namespace_of(pdb), pdb_name)
    raise errors.Timeout(f'couldn\'t update PodDisruptionBudget "{pdb_name}" due to conflicts')


def _condition_and_delete(store, pod: dict, now: float, grace: int | None, preconditions: dict,
                          dry_run: bool) -> None:
    """addConditionAndDeletePod: the DisruptionTarget condition, then the delete."""
    ns, name = objects.namespace_of(pod), objects.name_of(pod)
    if not dry_run:
        latest = store.get(kinds.POD, ns, name)
        md = objects.meta(latest)
        if preconditions.get("uid") and preconditions["uid"] != md.get("uid"):
            raise errors.Conflict("pods", "", name, f'Precondition failed: UID in precondition: {preconditions["uid"]}, '
                                                   f'UID in object meta: {md.get("uid")}')
        if preconditions.get("resourceVersion") and preconditions["resourceVersion"] != md.get("resourceVersion"):
            raise errors.Conflict("pods", "", name)
        status = dict(latest.get("status") or {})
        conds = [c for c in status.get("conditions") or () if c.get("type") != "DisruptionTarget"]
        conds.append({"type": "DisruptionTarget", "status": "True", "lastProbeTime": None,
                      "lastTransitionTime": objects.iso(now), "reason": "EvictionByEvictionAPI",
                      "message": "Eviction API: evicting"})
        status["conditions"] = conds
        updated = store.update(dict(latest, status=status), subresource="status", manager="kube-apiserver")
        if preconditions.get("resourceVersion"):
            preconditions = dict(preconditions, resourceVersion=objects.meta(updated).get("resourceVersion"))
    store.delete(kinds.POD, ns, name, grace_period_seconds=grace, preconditions=preconditions or None,
                 dry_run=dry_run)
