"""The page's timeline: the cluster as it was at any moment since it started (engine/timeline.py
keeps the changes), for the slider that rewinds the map and the replay that plays a stretch of
the past again.

    GET /kubeplay/v1/timeline                       {"start", "now"}: seconds on the engine clock
    GET /kubeplay/v1/timeline/state?at=T            {"at", "resourceVersion", "items"}: the objects at T
    GET /kubeplay/v1/timeline/changes?after=T0&until=T1
                                                    {"changes": [{"time", "type", "object"}], "more"}

Reads only; the app-wide guard (webapp/guard.py) applies as to every route. Bad numbers answer
400 with a Status."""
from __future__ import annotations

import json
import math

from flask import Blueprint, Response, request

from engine import errors
from webapp.extension import current_cluster

bp = Blueprint("timeline", __name__)

MAX_CHANGES = 5000


def _json(obj: dict) -> Response:
    return Response(json.dumps(obj, separators=(",", ":")), mimetype="application/json")


def _seconds(name: str, default: float | None = None) -> float:
    raw = request.args.get(name)
    if raw is None:
        if default is None:
            raise errors.BadRequest(f"{name} is required: a time in seconds on the cluster's clock")
        return default
    try:
        value = float(raw)
    except ValueError:
        raise errors.BadRequest(f"{name} must be a number of seconds, not {raw[:40]!r}") from None
    if not math.isfinite(value):
        raise errors.BadRequest(f"{name} must be a finite number of seconds")
    return value


@bp.get("/kubeplay/v1/timeline")
def span():
    start, now = current_cluster().timeline.span()
    return _json({"start": start, "now": now})


@bp.get("/kubeplay/v1/timeline/state")
def state():
    at = _seconds("at")
    items, rv = current_cluster().timeline.state_at(at)
    return _json({"at": at, "resourceVersion": str(rv), "items": items})


@bp.get("/kubeplay/v1/timeline/changes")
def changes():
    timeline = current_cluster().timeline
    after = _seconds("after")
    until = _seconds("until", timeline.span()[1])
    found = timeline.changes_between(after, until, MAX_CHANGES + 1)
    return _json({"changes": [{"time": c.time, "type": c.type, "object": c.object} for c in found[:MAX_CHANGES]],
                  "more": len(found) > MAX_CHANGES})
