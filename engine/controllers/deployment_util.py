"""Pure helpers of the Deployment controller, after k/k `pkg/controller/deployment/util/
deployment_util.go` and the ReplicaSet sort orders of `pkg/controller/controller_utils.go`.

Nothing here reads the store or the clock: functions take Deployment / ReplicaSet dicts (read
only) and return numbers, names, or edited copies. deployment.py tells the story in reading
order and calls these.
"""
from __future__ import annotations

import functools
import json
import math
import struct
from typing import Iterable

from .. import objects
from ..intstr import int_or_percent

# Well-known keys (k/api apps/v1 types.go, deployment_util.go).
HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
ROLLBACK_TO = "deprecated.deployment.rollback.to"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MAX_REV_HISTORY_CHARS = 2000

# Annotations never copied from a Deployment onto its ReplicaSets.
ANNOTATIONS_TO_SKIP = frozenset({LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS,
                                 MAX_REPLICAS, ROLLBACK_TO})

# Condition types and reasons (deployment_util.go).
AVAILABLE, PROGRESSING, REPLICA_FAILURE = "Available", "Progressing", "ReplicaFailure"
RS_UPDATED = "ReplicaSetUpdated"
FAILED_RS_CREATE = "ReplicaSetCreateError"
NEW_RS_CREATED = "NewReplicaSetCreated"
FOUND_NEW_RS = "FoundNewReplicaSet"
NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
TIMED_OUT = "ProgressDeadlineExceeded"
PAUSED = "DeploymentPaused"
RESUMED = "DeploymentResumed"
MIN_AVAILABLE = "MinimumReplicasAvailable"
MIN_UNAVAILABLE = "MinimumReplicasUnavailable"

MAX_INT32 = 2 ** 31 - 1


# ---- spec accessors (with the apps/v1 defaults, so an undefaulted object still works) ------

def spec(obj: dict) -> dict:
    return obj.get("spec") or {}


def replicas(obj: dict) -> int:
    """spec.replicas of a Deployment or ReplicaSet (apps/v1 default 1)."""
    v = spec(obj).get("replicas")
    return 1 if v is None else int(v)


def status_int(obj: dict, field: str) -> int:
    return int((obj.get("status") or {}).get(field) or 0)


def strategy_type(d: dict) -> str:
    return (spec(d).get("strategy") or {}).get("type") or "RollingUpdate"


def is_rolling(d: dict) -> bool:
    return strategy_type(d) == "RollingUpdate"


def _rolling_params(d: dict) -> tuple:
    ru = (spec(d).get("strategy") or {}).get("rollingUpdate")
    if ru is None:
        return "25%", "25%"                 # apps/v1 SetDefaults_Deployment
    return ru.get("maxSurge", "25%"), ru.get("maxUnavailable", "25%")


def min_ready_seconds(obj: dict) -> int:
    return int(spec(obj).get("minReadySeconds") or 0)


def progress_deadline(d: dict) -> int | None:
    """progressDeadlineSeconds, or None when there is no deadline (HasProgressDeadline)."""
    v = spec(d).get("progressDeadlineSeconds", 600)
    if v is None or v == MAX_INT32:
        return None
    return int(v)


def revision_history_limit(d: dict) -> int | None:
    """revisionHistoryLimit, or None when every revision is kept (HasRevisionHistoryLimit)."""
    v = spec(d).get("revisionHistoryLimit", 10)
    if v is None or v == MAX_INT32:
        return None
    return int(v)


def is_paused(d: dict) -> bool:
    return bool(spec(d).get("paused"))


def template(obj: dict) -> dict:
    return spec(obj).get("template") or {}


# ---- maxSurge / maxUnavailable ---------------------------------------------------------------

def resolve_fenceposts(max_surge, max_unavailable, desired: int) -> tuple[int, int]:
    """ResolveFenceposts: surge rounds up, unavailable rounds down; both 0 → unavailable 1."""
    surge = int_or_percent(0 if max_surge is None else max_surge, desired, True)
    unavailable = int_or_percent(0 if max_unavailable is None else max_unavailable, desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_surge(d: dict) -> int:
    if not is_rolling(d):
        return 0
    s, u = _rolling_params(d)
    return resolve_fenceposts(s, u, replicas(d))[0]


def max_unavailable(d: dict) -> int:
    n = replicas(d)
    if not is_rolling(d) or n == 0:
        return 0
    s, u = _rolling_params(d)
    return min(resolve_fenceposts(s, u, n)[1], n)


# ---- the pod-template-hash -------------------------------------------------------------------

def compute_hash(tmpl: dict, collision_count: int | None) -> str:
    """controller.ComputeHash: FNV-32a over the template (here its canonical JSON), plus the
    collisionCount as 8 little-endian bytes when set, printed in decimal and SafeEncodeString'd."""
    data = json.dumps(tmpl, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    if collision_count is not None:
        data += struct.pack("<I", int(collision_count) & 0xFFFFFFFF) + b"\0\0\0\0"
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return objects.safe_encode(str(h))


def _semantic(v):
    """Normalise for apiequality.Semantic.DeepEqual: nil and empty maps/slices compare equal."""
    if isinstance(v, dict):
        out = {k: _semantic(x) for k, x in v.items()}
        return {k: x for k, x in out.items() if x not in (None, {}, [])}
    if isinstance(v, list):
        return [_semantic(x) for x in v]
    return v


def equal_ignore_hash(t1: dict, t2: dict) -> bool:
    """EqualIgnoreHash: templates equal apart from the pod-template-hash label."""
    def strip(t):
        t = objects.clone(t or {})
        labels = (t.get("metadata") or {}).get("labels")
        if labels:
            labels.pop(HASH_LABEL, None)
        return _semantic(t)
    return strip(t1) == strip(t2)


# ---- ReplicaSet lists ------------------------------------------------------------------------

def _created(rs: dict) -> float:
    return objects.parse_time(objects.meta(rs).get("creationTimestamp")) or 0.0


def by_creation(rs_list: list[dict]) -> list[dict]:
    """ReplicaSetsByCreationTimestamp: oldest first, ties by name."""
    return sorted(rs_list, key=lambda r: (_created(r), objects.name_of(r)))


def _cmp_creation(a: dict, b: dict) -> int:
    ka, kb = (_created(a), objects.name_of(a)), (_created(b), objects.name_of(b))
    return -1 if ka < kb else (1 if ka > kb else 0)


def by_size_older(rs_list: list[dict]) -> list[dict]:
    """ReplicaSetsBySizeOlder: larger first; equal sizes → older first."""
    def cmp(a, b):
        if replicas(a) != replicas(b):
            return -1 if replicas(a) > replicas(b) else 1
        return _cmp_creation(a, b)
    return sorted(rs_list, key=functools.cmp_to_key(cmp))


def by_size_newer(rs_list: list[dict]) -> list[dict]:
    """ReplicaSetsBySizeNewer: larger first; equal sizes → newer first."""
    def cmp(a, b):
        if replicas(a) != replicas(b):
            return -1 if replicas(a) > replicas(b) else 1
        return _cmp_creation(b, a)
    return sorted(rs_list, key=functools.cmp_to_key(cmp))


def revision_of(obj: dict) -> int | None:
    """Revision(): the revision annotation as an int; 0 when absent; None when unparseable."""
    v = (objects.meta(obj).get("annotations") or {}).get(REVISION)
    if v is None:
        return 0
    try:
        return int(v)
    except ValueError:
        return None


def by_revision(rs_list: list[dict]) -> list[dict]:
    """ReplicaSetsByRevision: lowest revision first; creation time when equal or unparseable."""
    def cmp(a, b):
        ra, rb = revision_of(a), revision_of(b)
        if ra is None or rb is None or ra == rb:
            return _cmp_creation(a, b)
        return -1 if ra < rb else 1
    return sorted(rs_list, key=functools.cmp_to_key(cmp))


def max_revision(rs_list: list[dict]) -> int:
    return max([r for r in (revision_of(rs) for rs in rs_list) if r is not None], default=0)


def active(rs_list: Iterable[dict | None]) -> list[dict]:
    """FilterActiveReplicaSets: ReplicaSets with spec.replicas > 0."""
    return [rs for rs in rs_list if rs is not None and replicas(rs) > 0]


def find_new(d: dict, rs_list: list[dict]) -> dict | None:
    """FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's."""
    for rs in by_creation(rs_list):
        if equal_ignore_hash(template(rs), template(d)):
            return rs
    return None


def find_old(d: dict, rs_list: list[dict]) -> list[dict]:
    """FindOldReplicaSets (the 'all old' list): every ReplicaSet but the new one."""
    new = find_new(d, rs_list)
    return [rs for rs in rs_list if new is None or objects.uid_of(rs) != objects.uid_of(new)]


def find_active_or_latest(new_rs: dict | None, old_rss: list[dict]) -> dict | None:
    """FindActiveOrLatest: the only active ReplicaSet, or the newest if none is active."""
    if new_rs is None and not old_rss:
        return None
    old_sorted = list(reversed(by_creation(old_rss)))
    act = active(old_sorted + [new_rs])
    if not act:
        return new_rs if new_rs is not None else old_sorted[0]
    if len(act) == 1:
        return act[0]
    return None


def sum_spec(rs_list) -> int:
    return sum(replicas(rs) for rs in rs_list if rs is not None)


def sum_status(rs_list, field: str) -> int:
    return sum(status_int(rs, field) for rs in rs_list if rs is not None)


# ---- annotations -----------------------------------------------------------------------------

def annotation_int(obj: dict, key: str) -> int | None:
    v = (objects.meta(obj).get("annotations") or {}).get(key)
    if v is None:
        return None
    try:
        return int(v)
    except ValueError:
        return None


def set_replicas_annotations(rs: dict, desired: int, maximum: int) -> bool:
    ann = rs["metadata"].setdefault("annotations", {})
    changed = False
    for k, v in ((DESIRED_REPLICAS, str(desired)), (MAX_REPLICAS, str(maximum))):
        if ann.get(k) != v:
            ann[k] = v
            changed = True
    return changed


def replicas_annotations_need_update(rs: dict, desired: int, maximum: int) -> bool:
    ann = objects.meta(rs).get("annotations") or {}
    return ann.get(DESIRED_REPLICAS) != str(desired) or ann.get(MAX_REPLICAS) != str(maximum)


def set_new_rs_annotations(d: dict, rs: dict, new_revision: int, exists: bool,
                           limit_chars: int = MAX_REV_HISTORY_CHARS) -> bool:
    """SetNewReplicaSetAnnotations, editing `rs` (a copy) in place; True if anything changed."""
    ann = rs["metadata"].setdefault("annotations", {})
    changed = False
    for k, v in (objects.meta(d).get("annotations") or {}).items():
        if k in ANNOTATIONS_TO_SKIP or ann.get(k) == v:
            continue
        ann[k] = v
        changed = True
    had = REVISION in ann
    old_revision = ann.get(REVISION, "")
    try:
        old_int = int(old_revision) if old_revision != "" else 0
    except ValueError:
        return False
    if old_int < new_revision:
        ann[REVISION] = str(new_revision)
        changed = True
        if had:
            # Rolling back to this ReplicaSet: keep its old revision number in the history.
            hist = ann.get(REVISION_HISTORY, "")
            parts = hist.split(",")
            if not parts[0]:
                ann[REVISION_HISTORY] = old_revision
            else:
                total = len(hist) + len(old_revision) + 1
                start = 0
                while total > limit_chars and start < len(parts):
                    total -= len(parts[start]) + 1
                    start += 1
                if total <= limit_chars:
                    ann[REVISION_HISTORY] = ",".join(parts[start:] + [old_revision])
    if not exists and set_replicas_annotations(rs, replicas(d), replicas(d) + max_surge(d)):
        changed = True
    return changed


# ---- proportional scaling --------------------------------------------------------------------

def _round_half_away(x: float) -> int:
    """Go math.Round (halves away from zero), not Python's banker's rounding."""
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def rs_fraction(rs: dict, d: dict) -> int:
    """getReplicaSetFraction: how many replicas `rs` should gain (or lose) in a resize."""
    if replicas(d) == 0:
        return -replicas(rs)
    deployment_replicas = replicas(d) + max_surge(d)
    annotated = annotation_int(rs, MAX_REPLICAS)
    if annotated is None:
        annotated = status_int(d, "replicas")
    if annotated == 0:
        return 0
    new_size = float(replicas(rs) * deployment_replicas) / float(annotated)
    return _round_half_away(new_size) - replicas(rs)


def proportion(rs: dict | None, d: dict, to_add: int, added: int) -> int:
    """GetProportion."""
    if rs is None or replicas(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    frac = rs_fraction(rs, d)
    allowed = to_add - added
    return min(frac, allowed) if to_add > 0 else max(frac, allowed)


def new_rs_new_replicas(d: dict, all_rss: list, new_rs: dict) -> int:
    """NewRSNewReplicas: the size the new ReplicaSet may grow to in this step."""
    if is_rolling(d):
        surge = int_or_percent(_rolling_params(d)[0], replicas(d), True)
        current = sum_spec(all_rss)
        max_total = replicas(d) + surge
        if current >= max_total:
            return replicas(new_rs)
        up = min(max_total - current, replicas(d) - replicas(new_rs))
        return replicas(new_rs) + up
    if strategy_type(d) == "Recreate":
        return replicas(d)
    raise ValueError(f"deployment type {strategy_type(d)} isn't supported")


def is_saturated(d: dict, rs: dict | None) -> bool:
    if rs is None:
        return False
    desired = annotation_int(rs, DESIRED_REPLICAS)
    if desired is None:
        return False
    n = replicas(d)
    return replicas(rs) == n and desired == n and status_int(rs, "availableReplicas") == n


# ---- status and conditions ---------------------------------------------------------------------

def new_condition(ctype: str, status: str, reason: str, message: str, now_iso: str) -> dict:
    return {"type": ctype, "status": status, "lastUpdateTime": now_iso,
            "lastTransitionTime": now_iso, "reason": reason, "message": message}


def get_condition(status: dict, ctype: str) -> dict | None:
    return objects.get_condition(status, ctype)


def set_condition(status: dict, cond: dict) -> None:
    """SetDeploymentCondition: no-op when status and reason are unchanged; lastTransitionTime
    kept when only the reason changes; the condition moves to the end of the list."""
    cur = get_condition(status, cond["type"])
    if cur is not None and cur.get("status") == cond["status"] and cur.get("reason") == cond["reason"]:
        return
    cond = dict(cond)
    if cur is not None and cur.get("status") == cond["status"]:
        cond["lastTransitionTime"] = cur.get("lastTransitionTime", cond["lastTransitionTime"])
    remove_condition(status, cond["type"])
    status.setdefault("conditions", []).append(cond)


def remove_condition(status: dict, ctype: str) -> None:
    conds = [c for c in status.get("conditions") or () if c.get("type") != ctype]
    if conds:
        status["conditions"] = conds
    else:
        status.pop("conditions", None)


def rs_to_deployment_condition(c: dict) -> dict:
    return {"type": c.get("type"), "status": c.get("status"),
            "lastUpdateTime": c.get("lastTransitionTime"),
            "lastTransitionTime": c.get("lastTransitionTime"),
            "reason": c.get("reason"), "message": c.get("message")}


def deployment_complete(d: dict, status: dict) -> bool:
    n = replicas(d)
    return (int(status.get("updatedReplicas") or 0) == n and int(status.get("replicas") or 0) == n
            and int(status.get("availableReplicas") or 0) == n
            and int(status.get("observedGeneration") or 0) >= int(objects.meta(d).get("generation") or 0))


def deployment_progressing(d: dict, new: dict) -> bool:
    old = d.get("status") or {}
    g = lambda s, f: int(s.get(f) or 0)
    old_old = g(old, "replicas") - g(old, "updatedReplicas")
    new_old = g(new, "replicas") - g(new, "updatedReplicas")
    return (g(new, "updatedReplicas") > g(old, "updatedReplicas") or new_old < old_old
            or g(new, "readyReplicas") > g(old, "readyReplicas")
            or g(new, "availableReplicas") > g(old, "availableReplicas"))


def deployment_timed_out(d: dict, new: dict, now: float) -> bool:
    deadline = progress_deadline(d)
    if deadline is None:
        return False
    cond = get_condition(new, PROGRESSING)
    if cond is None or cond.get("reason") == NEW_RS_AVAILABLE:
        return False
    if cond.get("reason") == TIMED_OUT:
        return True
    since = objects.parse_time(cond.get("lastUpdateTime"))
    return since is not None and since + deadline < now
