"""Fidelity check for engine optimisations: run a fixed scenario on a ManualClock with all
randomness pinned, and write every watch event (type, resourceVersion, object) and every
controller decision as JSON lines. Two runs of the same code give byte-identical files, so a
change meant to be invisible (a faster path) is checked with `cmp` against a trace of the code
before it:

    .venv/bin/python bench/trace_engine.py /tmp/before.jsonl
    (change the engine)
    .venv/bin/python bench/trace_engine.py /tmp/after.jsonl && cmp /tmp/before.jsonl /tmp/after.jsonl

(The script re-runs itself with PYTHONHASHSEED=0: set iteration order reaches the trace.)

The suite keeps the trace too: tests/engine/test_engine_trace.py compares its SHA-256 with
tests/engine/golden/engine_trace.json, which also holds a summary (events per type and kind,
decisions per controller and action) to show where a changed trace differs. A change that is
meant to change what the engine does updates the golden file on purpose:

    .venv/bin/python bench/trace_engine.py --update-golden

The scenario walks through the engine's main paths: scale up in small and in large time steps
(a lagging engine skips states), Services and EndpointSlices, a rolling update, pull failures
and crash loops with their back-off, a failed and recovered node, scale down, direct pod
deletion, a StatefulSet, a DaemonSet and a namespace deletion.
"""
from __future__ import annotations

import collections
import hashlib
import itertools
import json
import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from engine import objects, resources as kinds  # noqa: E402
from engine.clock import ManualClock  # noqa: E402
from engine.cluster import Cluster  # noqa: E402
from engine.store import Store  # noqa: E402


def deployment(name, image, replicas, **spec):
    pod_spec = {"containers": [{"name": "app", "image": image,
                                "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}
    pod_spec.update(spec)
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": pod_spec}}}


def main(out_path: str) -> None:
    random.seed(1234)
    counter = itertools.count(1)
    objects.new_uid = lambda: "00000000-0000-4000-8000-%012x" % next(counter)
    store = Store()
    feed = store.subscribe()
    clock = ManualClock()
    c = Cluster(store=store, clock=clock, nodes=6, pods_per_node=60)
    c.controller("default-scheduler")._rng = random.Random(99)
    s = store

    def steps(seconds, dt):
        for _ in range(int(round(seconds / dt))):
            c.advance(dt)

    def lag(seconds):
        """The engine falls behind: time jumps, then everything overdue is worked off."""
        clock.advance(seconds)
        c.run_until_idle()

    c.run_until_idle()
    s.create(deployment("web", "nginx:1.27", 0))
    steps(1, 0.5)
    s.patch(kinds.DEPLOYMENT, "default", "web", "merge", {"spec": {"replicas": 40}})
    steps(4, 0.1)
    s.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
              "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 80}]}})
    steps(2, 0.25)
    s.patch(kinds.DEPLOYMENT, "default", "web", "merge", {"spec": {"replicas": 120}})
    for _ in range(6):
        lag(2.0)
    s.patch(kinds.DEPLOYMENT, "default", "web", "strategic",
            {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.28"}]}}}})
    for _ in range(15):
        lag(1.5)
    s.create(deployment("bad", "nginx:no-such-tag-here", 3))
    s.create(deployment("crash", "busybox:1.36", 2))
    s.create(deployment("slow", "redis:7", 4,
                        initContainers=[{"name": "init", "image": "busybox:1.36", "command": ["sleep", "2"]}]))
    steps(60, 1.0)
    lag(45)
    c.fail_node("node-2")
    steps(30, 1.0)
    c.recover_node("node-2")
    steps(20, 1.0)
    s.patch(kinds.DEPLOYMENT, "default", "web", "merge", {"spec": {"replicas": 30}})
    steps(5, 0.5)
    victim = sorted(p["metadata"]["name"] for p in s.iter(kinds.POD, "default")
                    if p["metadata"]["name"].startswith("web-"))[0]
    s.delete(kinds.POD, "default", victim)
    steps(5, 0.5)
    s.create({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "default"},
              "spec": {"replicas": 3, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                       "template": {"metadata": {"labels": {"app": "db"}},
                                    "spec": {"containers": [{"name": "db", "image": "redis:7"}]}}}})
    s.create({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "kube-system"},
              "spec": {"selector": {"matchLabels": {"app": "agent"}},
                       "template": {"metadata": {"labels": {"app": "agent"}},
                                    "spec": {"containers": [{"name": "agent", "image": "nginx:1.27"}]}}}})
    steps(20, 0.5)
    s.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    c.run_until_idle()          # the serviceaccounts controller gives it its default account
    s.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "solo", "namespace": "team"},
              "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}})
    steps(5, 0.5)
    s.delete(kinds.NAMESPACE, "", "team")
    steps(20, 1.0)
    s.delete(kinds.DEPLOYMENT, "default", "web")
    lag(30)
    steps(15, 1.0)

    with open(out_path, "w") as f:
        while feed:
            ev = feed.popleft()
            f.write(json.dumps([ev.type, ev.rv, ev.object], sort_keys=True) + "\n")
        for d in c.decisions.since(0)[0]:
            f.write(json.dumps(["DECISION", d], sort_keys=True, default=str) + "\n")
    print(f"{out_path}: rv {store.resource_version}, {len(list(store.iter(kinds.POD)))} pods, "
          f"{len(list(store.iter(kinds.EVENT)))} events")


GOLDEN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                      "tests", "engine", "golden", "engine_trace.json")


def summarize(path: str) -> dict:
    """What a trace holds, counted: enough to see which part of the engine a changed trace
    comes from (the full trace is ~9 MB, too big to keep in the repository)."""
    events: collections.Counter = collections.Counter()
    decisions: collections.Counter = collections.Counter()
    last_rv = 0
    with open(path, "rb") as f:
        for line in f:
            rec = json.loads(line)
            if rec[0] == "DECISION":
                decisions[f"{rec[1]['controller']} {rec[1]['action']}"] += 1
            else:
                events[f"{rec[0]} {rec[2].get('kind')}"] += 1
                last_rv = max(last_rv, rec[1])
    return {"lastResourceVersion": last_rv, "events": dict(sorted(events.items())),
            "decisions": dict(sorted(decisions.items()))}


def digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


if __name__ == "__main__":
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, PYTHONHASHSEED="0"))
    if sys.argv[1:] == ["--update-golden"]:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "trace.jsonl")
            main(out)
            golden = {"sha256": digest(out), "bytes": os.path.getsize(out), "summary": summarize(out)}
        with open(GOLDEN, "w") as f:
            f.write(json.dumps(golden, indent=1, sort_keys=True) + "\n")
        print(f"wrote {GOLDEN}")
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else "trace.jsonl")
