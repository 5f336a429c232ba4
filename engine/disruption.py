"""What the disruption controller (engine/controllers/disruption.py) and the Eviction API
(engine/eviction.py) share about PodDisruptionBudgets, as upstream's pdbhelper package: which
budgets guard a pod, and the DisruptionAllowed condition."""
from __future__ import annotations

from . import objects, resources as kinds
from .selectors import label_selector_matcher

DISRUPTION_ALLOWED = "DisruptionAllowed"
SUFFICIENT_PODS = "SufficientPods"
INSUFFICIENT_PODS = "InsufficientPods"
SYNC_FAILED = "SyncFailed"
# How long an eviction's "about to delete" mark keeps a pod out of currentHealthy before the
# controller decides the delete is not coming (k/k disruption.DeletionTimeout).
DELETION_TIMEOUT = 120.0


_STATUS_ORDER = ("observedGeneration", "disruptedPods", "disruptionsAllowed", "currentHealthy", "desiredHealthy",
                 "expectedPods", "conditions")


def ordered_status(status: dict) -> dict:
    """PodDisruptionBudgetStatus in its Go field order (the order its JSON has), empty
    disruptedPods and conditions left out as omitempty does."""
    return {k: status[k] for k in _STATUS_ORDER if k in status and (status[k] or k not in ("disruptedPods", "conditions"))}


def pdbs_for_pod(store, pod: dict) -> list[dict]:
    """The budgets in the pod's namespace whose selector matches its labels (a nil selector
    matches nothing; in policy/v1 an empty one matches every pod)."""
    labels = objects.labels_of(pod)
    return sorted((pdb for pdb in store.iter(kinds.PODDISRUPTIONBUDGET, objects.namespace_of(pod))
                   if label_selector_matcher((pdb.get("spec") or {}).get("selector"))(labels)),
                  key=objects.name_of)


def set_allowed_condition(status: dict, generation: int, now_iso: str, *, reason: str | None = None,
                          message: str = "") -> None:
    """pdbhelper.UpdateDisruptionAllowedCondition (meta.SetStatusCondition): True with
    SufficientPods while a disruption is allowed, False with InsufficientPods otherwise (or the
    given reason); lastTransitionTime moves only when the status does."""
    allowed = (status.get("disruptionsAllowed") or 0) > 0 and reason is None
    cond = {"type": DISRUPTION_ALLOWED, "status": "True" if allowed else "False",
            "observedGeneration": generation, "lastTransitionTime": now_iso,
            "reason": reason or (SUFFICIENT_PODS if allowed else INSUFFICIENT_PODS), "message": message}
    conds = [dict(c) for c in status.get("conditions") or ()]
    for i, c in enumerate(conds):
        if c.get("type") == DISRUPTION_ALLOWED:
            if c.get("status") == cond["status"]:
                cond["lastTransitionTime"] = c.get("lastTransitionTime") or now_iso
            conds[i] = cond
            break
    else:
        conds.append(cond)
    status["conditions"] = conds
