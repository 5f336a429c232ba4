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
the lead negative, and served times move forward by as much. While the clock is paused the lead
holds its value from the moment of pausing (plus any Steps), so repeated reads print the same
times; kubectl's own ages then run on with its clock until Resume brings them back. Requests that carry the page's
header (X-Kubeplay-Request) are answered in simulated time, as the page's stream is. Whole
objects a client writes (create, update) come back into simulated time by the same shift.
"""
from __future__ import annotations

from flask import request

from ..extension import current_cluster
from ..guard import PAGE_HEADER
from .timeshift import clock_shift, shifted


def current_shift() -> int:
    """This request's shift: none for the page, the clock's lead for every other client."""
    if request.headers.get(PAGE_HEADER):
        return 0
    return clock_shift(current_cluster().clock)


def shifter():
    """For a watch: a function giving this client's shift at the moment it is called (none for the
    page), as `framer` applies it."""
    if request.headers.get(PAGE_HEADER):
        return lambda: 0
    clock = current_cluster().clock
    return lambda: clock_shift(clock)


def framer():
    """For a watch, whose events go out after the request's context is gone: a function putting
    one event's object in this client's frame, at the lead of the moment it is sent."""
    if request.headers.get(PAGE_HEADER):
        return lambda obj: obj
    clock = current_cluster().clock
    return lambda obj: shifted(obj, clock_shift(clock))


def to_client(value):
    """What a response carries: `value` in the requesting client's frame."""
    return shifted(value, current_shift())


def from_client(value):
    """A written object's timestamps, brought back from the client's frame into simulated time."""
    return shifted(value, -current_shift())
