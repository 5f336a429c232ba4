"""Timestamps moved into a client's frame: the arithmetic of webapp/api/clientframe.py (which says
why), without Flask, so the in-page terminal's `kubectl get -o yaml` prints what the real kubectl
prints."""
from __future__ import annotations

import functools
import math
import re

from engine import objects, schema

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


def clock_shift(clock) -> int:
    """The shift for a clock now (a clock without a lead, none)."""
    lead = getattr(clock, "lead", None)
    return shift_seconds(lead()) if lead else 0


@functools.lru_cache(maxsize=8192)
def _moved(value: str, seconds: int) -> str:
    # Cached: a list of many objects made around the same time repeats the same few stamps.
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
    return _walk(value, seconds, {})


def _walk(value, seconds: int, done: dict):
    # `done`: what this call has already copied, by id. Stored objects share read-only parts (a
    # ReplicaSet's pods their token projection and equal conditions, managedFields entries), so a
    # list of 10,000 pods copies each shared part once; the copy shares it the same way. (The
    # ids stay valid: `value` holds every part for the length of the call.)
    if isinstance(value, list):
        got = done.get(id(value))
        if got is None:
            got = done[id(value)] = [_walk(v, seconds, done) for v in value]
        return got
    if not isinstance(value, dict):
        return value
    got = done.get(id(value))
    if got is not None:
        return got
    out = done[id(value)] = {}
    for k, v in value.items():
        if k in TIME_FIELDS and isinstance(v, str):
            out[k] = _moved(v, seconds)
        elif k in TIME_FIELDS and isinstance(v, dict):                # status.disruptedPods
            out[k] = {name: _moved(t, seconds) if isinstance(t, str) else t for name, t in v.items()}
        elif k in _USER_MAPS:
            out[k] = v
        else:
            out[k] = _walk(v, seconds, done)
    return out
