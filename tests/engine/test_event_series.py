"""The kube-scheduler records through client-go's events.k8s.io/v1 recorder (tools/events,
NewEventBroadcasterAdapter): its Events, read as core/v1, carry eventTime, action and the
reporting fields, no firstTimestamp, lastTimestamp, count or source, and a repeat becomes a
`series` (event_broadcaster.go recordToSink, finishSeries, refreshExistingEventSeries)."""
import re

import pytest

from engine import events as events_module, objects, resources as kinds
from engine.clock import ManualClock
from engine.events import FINISH_TIME, REFRESH_TIME, EventRecorder
from engine.store import Store

MICRO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
SCHED = dict(component="default-scheduler", host="kubeplay-control-plane")


@pytest.fixture
def rec():
    clock = ManualClock()
    store = Store(clock=clock)
    store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    pod = store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web", "namespace": "default"}})
    pod = dict(pod, apiVersion="v1", kind="Pod")       # (its reference is all the recorder reads)
    return EventRecorder(store, clock, {"default-scheduler": "kube-scheduler"}), store, clock, pod


def events(store):
    items, _ = store.list(kinds.EVENT)
    return sorted(items, key=lambda e: int(e["metadata"]["resourceVersion"]))


def fail(recorder, pod, message="0/3 nodes are available: 3 Insufficient cpu."):
    recorder.event(pod, "Warning", "FailedScheduling", message, action="Scheduling", **SCHED)


def fire_timers(clock):
    for t in clock.pop_due():
        t.fn()


def test_a_scheduler_event_has_the_events_api_shape(rec):
    recorder, store, clock, pod = rec
    clock.advance(0.123456)
    recorder.event(pod, "Normal", "Scheduled", "Successfully assigned default/web to node-1",
                   action="Binding", **SCHED)
    (ev,) = events(store)
    assert MICRO.match(ev["eventTime"]) and ev["eventTime"].endswith(".123456Z")
    assert ev["firstTimestamp"] is None and ev["lastTimestamp"] is None
    assert "count" not in ev and "series" not in ev
    assert ev["source"] == {}
    assert ev["reportingComponent"] == "default-scheduler"
    assert ev["reportingInstance"] == "default-scheduler-kubeplay-control-plane"
    assert ev["action"] == "Binding" and ev["type"] == "Normal" and ev["reason"] == "Scheduled"
    assert ev["involvedObject"]["resourceVersion"] == pod["metadata"]["resourceVersion"]
    assert ev["metadata"]["name"] == f"web.{int(objects.parse_time(ev['eventTime']) * 1e9):x}"


def test_a_repeat_becomes_a_series_of_two_then_counts_in_the_cache(rec):
    recorder, store, clock, pod = rec
    fail(recorder, pod)
    (first,) = events(store)
    clock.advance(10)
    fail(recorder, pod)
    (ev,) = events(store)
    assert ev["metadata"]["name"] == first["metadata"]["name"]
    assert ev["series"]["count"] == 2 and MICRO.match(ev["series"]["lastObservedTime"])
    assert objects.parse_time(ev["series"]["lastObservedTime"]) == pytest.approx(clock.now())
    assert ev["eventTime"] == first["eventTime"] and "count" not in ev and ev["lastTimestamp"] is None
    rv = ev["metadata"]["resourceVersion"]
    clock.advance(10)
    fail(recorder, pod, "0/3 nodes are available: 3 node(s) had untolerated taint.")   # the note is not in the key
    (ev,) = events(store)
    assert ev["metadata"]["resourceVersion"] == rv and ev["series"]["count"] == 2     # not written yet
    assert ev["message"] == first["message"]


def test_finish_series_writes_the_final_count_six_minutes_after_the_last_observation(rec):
    recorder, store, clock, pod = rec
    start = clock.now()
    for _ in range(3):
        fail(recorder, pod)
        clock.advance(10)
    last = clock.now() - 10
    # finishSeries runs every six minutes from the broadcaster's start: the tick at 6 minutes
    # finds the last observation (at 20 s) less than six minutes old, the one at 12 minutes ends it
    while clock.now() < start + FINISH_TIME + 30:
        clock.advance(30)
        fire_timers(clock)
    assert events(store)[0]["series"]["count"] == 2
    while clock.now() < start + 2 * FINISH_TIME + 1:
        clock.advance(30)
        fire_timers(clock)
    (ev,) = events(store)
    assert ev["series"]["count"] == 3
    assert objects.parse_time(ev["series"]["lastObservedTime"]) == pytest.approx(last)
    # the series is over: the next occurrence is a new Event
    fail(recorder, pod)
    evs = events(store)
    assert len(evs) == 2 and "series" not in evs[1]


def test_the_ticks_run_from_the_process_start_not_from_the_first_event(rec):
    """Upstream the finishSeries loop starts with the scheduler process (wait.Until at
    StartRecordingToSink): a scheduler started at 0 whose series is last observed at 110 s has it
    ended by the tick at 12 minutes, not by one 12 minutes after its first Event (at 100 s)."""
    recorder, store, clock, pod = rec
    start = clock.now()
    recorder.source_started(SCHED["component"], SCHED["host"], start)
    clock.advance(100)
    fail(recorder, pod)
    clock.advance(10)
    fail(recorder, pod)
    fail(recorder, pod)                       # count 3, in the cache
    while clock.now() < start + 2 * FINISH_TIME - 1:
        clock.advance(1)
        fire_timers(clock)
    assert events(store)[0]["series"]["count"] == 2
    clock.advance(1)
    fire_timers(clock)                        # the tick at 12 minutes from the start
    assert events(store)[0]["series"]["count"] == 3


def test_a_started_scheduler_ticks_from_its_start():
    """The cluster says when its scheduler started — with the cluster, and again when the page
    starts it after a stop — so its broadcaster is made with that start, whenever it records."""
    from engine.cluster import Cluster
    clock = ManualClock()
    c = Cluster(store=Store(clock=clock), clock=clock, nodes=1)
    try:
        assert c.recorder._started[(SCHED["component"], SCHED["host"])] == clock.now()
        clock.advance(50)
        c.set_component_running("kube-scheduler", False)
        c.run_until_idle()
        assert (SCHED["component"], SCHED["host"]) not in c.recorder._started
        clock.advance(50)
        c.set_component_running("kube-scheduler", True)
        c.run_until_idle()
        assert c.recorder._started[(SCHED["component"], SCHED["host"])] == clock.now()
        store = c.store
        clock.advance(20)
        store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
                      "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
        c.run_until_idle()
        b = c.recorder._broadcasters[(SCHED["component"], SCHED["host"])]
        assert b._started == clock.now() - 20          # the restart, not the Scheduled Event
    finally:
        c.stop()


def test_an_open_series_is_written_every_thirty_minutes(rec):
    recorder, store, clock, pod = rec
    start = clock.now()
    fail(recorder, pod)
    while clock.now() < start + REFRESH_TIME + 30:
        clock.advance(60)
        fail(recorder, pod)           # one a minute: the series never finishes
        fire_timers(clock)
        if clock.now() < start + REFRESH_TIME:
            assert events(store)[0]["series"]["count"] == 2
    (ev,) = events(store)
    assert ev["series"]["count"] == 31    # written at 30 minutes; the 32nd is in the cache


def test_a_new_resource_version_of_the_pod_is_a_new_event(rec):
    recorder, store, clock, pod = rec
    fail(recorder, pod)
    newer = dict(pod, metadata=dict(pod["metadata"], resourceVersion=str(int(pod["metadata"]["resourceVersion"]) + 1)))
    fail(recorder, newer)
    assert [("series" in e) for e in events(store)] == [False, False]


def test_a_singleton_is_forgotten_after_six_minutes(rec):
    recorder, store, clock, pod = rec
    fail(recorder, pod)
    clock.advance(2 * FINISH_TIME + 1)       # a finishSeries tick has passed its cutoff
    fail(recorder, pod)
    assert [("series" in e) for e in events(store)] == [False, False]


def test_the_ticks_forget_singletons_and_stop_once_the_cache_is_empty(rec):
    """A scale-up's Scheduled Events are each a singleton: the six-minute ticks forget them (the
    cache holds about six minutes of Events, as upstream's), and with nothing left no timer runs."""
    recorder, store, clock, pod = rec
    start = clock.now()
    for i in range(5):
        newer = dict(pod, metadata=dict(pod["metadata"], resourceVersion=str(1000 + i)))
        recorder.event(newer, "Normal", "Scheduled", "Successfully assigned default/web to node-1",
                       action="Binding", **SCHED)
    (b,) = recorder._broadcasters.values()
    assert len(b.cache) == 5 and clock.next_due() == pytest.approx(clock.now() + FINISH_TIME, abs=1e-6)
    fire_timers(clock)
    while clock.next_due() is not None:
        clock.set(clock.next_due())
        fire_timers(clock)
    # (the tick at six minutes finds them exactly six minutes old, the one at twelve forgets them)
    assert b.cache == {} and clock.now() == pytest.approx(start + 2 * FINISH_TIME, abs=1e-6)
    assert len(events(store)) == 5                  # forgetting writes nothing


def test_a_series_whose_event_is_gone_is_created_again_with_its_count(rec):
    recorder, store, clock, pod = rec
    fail(recorder, pod)
    (ev,) = events(store)
    store.delete(kinds.EVENT, "default", ev["metadata"]["name"])
    fail(recorder, pod)
    (again,) = events(store)
    assert again["metadata"]["name"] == ev["metadata"]["name"] and again["series"]["count"] == 2
    assert again["eventTime"] == ev["eventTime"]


def test_a_burst_faster_than_the_ticks_sweeps_the_cache_once_per_doubling(rec, monkeypatch):
    """Upstream the cache keeps every Event of the last six minutes; the early sweep of singletons
    a tick has forgotten must not turn into a scan per Event when none is forgettable yet."""
    recorder, store, clock, pod = rec
    monkeypatch.setattr(events_module, "SWEEP_AT", 10)
    sweeps = []
    sweep = events_module.EventBroadcaster._forget_singletons
    monkeypatch.setattr(events_module.EventBroadcaster, "_forget_singletons",
                        lambda self, now: (sweeps.append(len(self.cache)), sweep(self, now))[1])
    for i in range(200):
        newer = dict(pod, metadata=dict(pod["metadata"], resourceVersion=str(1000 + i)))
        fail(recorder, newer)
    (b,) = recorder._broadcasters.values()
    assert len(b.cache) == 200                       # all within six minutes: all kept
    assert sweeps == [11, 23, 47, 95, 191]
    clock.advance(2 * FINISH_TIME + 1)
    for i in range(200, 400):
        newer = dict(pod, metadata=dict(pod["metadata"], resourceVersion=str(1000 + i)))
        fail(recorder, newer)
    assert sweeps[5] == 383 and len(b.cache) < 383   # the first 200 were forgotten by a tick


def test_a_stopped_scheduler_takes_its_cache_with_it(rec):
    recorder, store, clock, pod = rec
    fail(recorder, pod)
    recorder.source_stopped("default-scheduler", "kubeplay-control-plane")
    fail(recorder, pod)
    assert len(events(store)) == 2


def test_a_state_files_series_counts_as_written_at_its_last_observation():
    """EventExpiry.loaded: a series' PATCH renewed the Event's lease at its lastObservedTime."""
    from engine.event_ttl import EventExpiry

    def ev(name, rv, event_time, last=None):
        e = {"metadata": {"name": name, "namespace": "default", "resourceVersion": str(rv),
                          "creationTimestamp": event_time[:19] + "Z"},
             "eventTime": event_time, "firstTimestamp": None, "lastTimestamp": None}
        if last:
            e["series"] = {"count": 2, "lastObservedTime": last}
        return e
    expiry = EventExpiry(3600)
    expiry.loaded([ev("a", 1, "2026-01-01T00:00:00.000000Z", last="2026-01-01T00:50:00.000000Z"),
                   ev("b", 2, "2026-01-01T00:10:00.000000Z")])
    t0 = objects.parse_time("2026-01-01T00:00:00Z")
    assert list(expiry.due(t0 + 3600 + 700)) == [("default", "b")]      # a's lease runs to 01:50
    assert list(expiry.due(t0 + 3600 + 3000)) == [("default", "a")]


def test_the_ticks_stay_on_their_grid_from_a_fractional_start(rec):
    """Each tick arms the next one (k + 1), never its own again: a start at .1 s, whose grid
    times float arithmetic cannot hit exactly, fires one tick per six minutes."""
    recorder, store, clock, pod = rec
    clock.advance(0.1)
    fail(recorder, pod)
    fail(recorder, pod)                   # a series: the timer runs
    fired = 0
    for _ in range(60):                   # 60 minutes
        clock.advance(60)
        fail(recorder, pod)
        due = clock.pop_due()
        fired += len(due)
        for t in due:
            t.fn()
    assert fired == 10
    (ev,) = events(store)
    assert ev["series"]["count"] == 2 + 60    # refreshed by tick 10 (60 minutes), after that minute's occurrence
