"""Timestamps in the client's frame: how simulated time and kubectl's clock arithmetic agree.

The cluster runs on simulated time, which the page's 10x and Step move ahead of the wall clock.
kubectl computes many ages itself (`describe`'s events and conditions, `get events` without
server-side printing, RESTARTS' "(5s ago)") as *its own wall clock minus a timestamp*; with
the simulated stamps served as stored, those ages would be negative, printed `<invalid>`.

The model: the store keeps simulated timestamps (the engine reasons with them and the page shows
them); the API serves every timestamp to a client shifted back by the clock's current lead over
the wall clock (`Clock.lead()`, whole seconds). Then for any client

    wall now - served timestamp  =  simulated now - stored timestamp  =  the simulated age,

the same age the page and the server-side `kubectl get` columns show, and never in the client's
future. With no speed-up the lead is zero and nothing changes; after a pause the clock is behind,
the lead negative, and served times move forward by as much. Requests that carry the page's
header (X-Kubeplay-Request) are answered in simulated time, as the page's stream is. Whole
objects a client writes (create, update) come back into simulated time by the same shift.
"""
from __future__ import annotations

import math
import re

from flask import request

from engine import objects, schema

from ..extension import current_cluster
from ..guard import PAGE_HEADER

# Which fields are timestamps comes from the generated schema data (metav1.Time and MicroTime).
TIME_FIELDS = schema.time_fields()
# Maps whose keys are the user's: a ConfigMap key or an annotation named `time` is not a timestamp.
_USER_MAPS = frozenset({"labels", "annotations", "data", "stringData", "binaryData", "matchLabels",
                        "nodeSelector", "selector"})
_STAMP = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z$")


def shift_seconds(lead: float) -> int:
    """The whole seconds to move served times back by. Under a second of lead is none (the
    clocks' own jitter at 1x must not make timestamps flicker); otherwise the lead rounded up, so
    a client's age is the simulated age or at most a second more, never less (never negative)."""
    return 0 if abs(lead) < 1 else math.ceil(lead)


def current_shift() -> int:
    """This request's shift: none for the page, the clock's lead for every other client."""
    if request.headers.get(PAGE_HEADER):
        return 0
    lead = getattr(current_cluster().clock, "lead", None)
    return shift_seconds(lead()) if lead else 0


def _moved(value: str, seconds: int) -> str:
    m = _STAMP.match(value)
    t = objects.parse_time(value[:19] + "Z") if m else None
    if m is None or t is None:
        return value
    # Whole seconds move, the fraction (a MicroTime's microseconds) stays as written.
    return objects.iso(t - seconds)[:-1] + (m.group(7) or "") + "Z"


def shifted(value, seconds: int):
    """A copy of `value` (an object, a list, a Table, a watch event) with its timestamps moved
    `seconds` back; `value` itself when there is nothing to move."""
    if not seconds:
        return value
    return _walk(value, seconds)


def _walk(value, seconds: int):
    if isinstance(value, list):
        return [_walk(v, seconds) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        if k in TIME_FIELDS and isinstance(v, str):
            out[k] = _moved(v, seconds)
        elif k in TIME_FIELDS and isinstance(v, dict):                # status.disruptedPods
            out[k] = {name: _moved(t, seconds) if isinstance(t, str) else t for name, t in v.items()}
        elif k in _USER_MAPS:
            out[k] = v
        else:
            out[k] = _walk(v, seconds)
    return out


def framer():
    """For a watch, whose events go out after the request's context is gone: a function putting
    one event's object in this client's frame, at the lead of the moment it is sent."""
    if request.headers.get(PAGE_HEADER):
        return lambda obj: obj
    clock = current_cluster().clock
    lead = getattr(clock, "lead", None)
    if lead is None:
        return lambda obj: obj
    return lambda obj: shifted(obj, shift_seconds(lead()))


def to_client(value):
    """What a response carries: `value` in the requesting client's frame."""
    return shifted(value, current_shift())


def from_client(value):
    """A written object's timestamps, brought back from the client's frame into simulated time."""
    return shifted(value, -current_shift())
