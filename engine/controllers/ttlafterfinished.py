"""The TTL-after-finished controller (k/k pkg/controller/ttlafterfinished): a finished Job
(Complete or Failed) with spec.ttlSecondsAfterFinished is deleted that many seconds after it
finished — with foreground propagation, so its pods go first — as kube-controller-manager does.
"""
from __future__ import annotations

from .. import errors, objects, resources as kinds
from ..loop import Controller, Result, own_key


def finish_time(job: dict) -> float | None:
    """jobFinishTime: when the Complete or Failed condition became True."""
    for c in (job.get("status") or {}).get("conditions") or ():
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return objects.parse_time(c.get("lastTransitionTime"))
    return None


class TTLAfterFinishedController(Controller):
    name = "ttl-after-finished-controller"

    def handlers(self):
        return {"jobs": own_key}

    def reconcile(self, key: str) -> Result | None:
        ns, name = objects.split_key(key)
        job = self.store.try_get(kinds.JOB, ns, name)
        if job is None or objects.is_terminating(job):
            return None
        ttl = (job.get("spec") or {}).get("ttlSecondsAfterFinished")
        finished = finish_time(job)
        if ttl is None or finished is None:
            return None
        left = finished + int(ttl) - self.clock.now()
        if left > 0:
            return Result(left)
        try:
            self.store.delete(kinds.JOB, ns, name, propagation_policy="Foreground", sync=False,
                              preconditions={"uid": objects.uid_of(job)})
        except (errors.NotFound, errors.Conflict):
            return None
        self.decide(key, f"Job {key}: finished {int(ttl)}s ago (ttlSecondsAfterFinished) → deleting it",
                    action="delete")
        return None
