"""The CPU of listing all pods while they are being made: the scale-up of bench/scale_deployment.py
in this process on a ManualClock (as profile_engine.py), and after every `--every` simulated
seconds one list of all pods as JSON and one as a Table (kubectl's Accept) through a Flask test
client, not as the page (so timestamps are moved into the client's frame). Prints each list's
CPU seconds, mean and max; `--cprofile FILE` profiles the lists only. `--watch texts`: before
each round, the lines a watch of all pods would send for the events since the last round are
written, as the server's watch writes them (each version's text, which the lists then share);
`--watch plain` writes them the way the watch did before (a copy moved into the client's frame
and a dumps); the watch's CPU is printed apart.

CPU seconds of one request in one thread: what a list costs, whatever the machine's load.

    .venv/bin/python bench/profile_lists.py [--pods 10000] [--nodes 50] [--every 0.1] [--cprofile out.prof]
"""
from __future__ import annotations

import argparse
import cProfile
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from engine import resources as kinds  # noqa: E402
from engine.clock import ManualClock  # noqa: E402
from engine.cluster import Cluster  # noqa: E402
from engine.heap import freeze_survivors  # noqa: E402
from engine.store import Store  # noqa: E402
from profile_engine import DEPLOYMENT  # noqa: E402

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=10000)
    ap.add_argument("--nodes", type=int, default=50)
    ap.add_argument("--every", type=float, default=0.1, help="simulated seconds between rounds of lists")
    ap.add_argument("--cprofile", metavar="FILE")
    ap.add_argument("--watch", choices=("texts", "plain"), help="a watch of all pods writes each round's events first")
    args = ap.parse_args()
    from webapp import create_app
    from webapp.api import encoded, list_bodies, timeshift, watch

    # A watch drains between rounds here, not as the writes come: the history must hold a round.
    store = Store(max_pods=args.pods + 10 * args.nodes + 100, **({"history": 400_000} if args.watch else {}))
    clock = ManualClock()
    # A ManualClock has no lead over the wall clock; this one claims the lead of a cluster run at
    # 100x for a while, so the lists move their timestamps as they do for kubectl then.
    clock.lead = lambda: 5000.3          # type: ignore[method-assign]
    cluster = Cluster(store=store, clock=clock, nodes=args.nodes, control_plane=True,
                      pods_per_node=max(110, -(-args.pods * 5 // (4 * args.nodes))))
    cluster.run_until_idle()
    store.create(DEPLOYMENT)
    cluster.advance(1)
    client = create_app(cluster).test_client()
    watcher = store.watch(store.resource_version) if args.watch else None
    texts = list_bodies.texts_for(cluster)
    prof = cProfile.Profile() if args.cprofile else None
    cpu: dict[str, list[float]] = {"JSON": [], "Table": []}
    watch_cpu = 0.0
    shift = 5001                    # clientframe's shift for the lead above
    store.patch(kinds.DEPLOYMENT, "default", "bench", "merge", {"spec": {"replicas": args.pods}})
    while store.get(kinds.DEPLOYMENT, "default", "bench").get("status", {}).get("availableReplicas", 0) < args.pods:
        cluster.advance(args.every)
        freeze_survivors()
        if watcher is not None:
            c0 = time.process_time()
            for ev in watcher.next(0):
                if ev.resource is not kinds.POD or ev.object is None:
                    continue
                if args.watch == "texts":
                    text = encoded.object_text(texts.entry("pods", ev.object, keep=ev.type != "DELETED"), shift)
                    ('{"type":"' + ev.type + '","object":' + text + "}\n").encode()
                else:
                    watch._line(ev.type, timeshift.shifted(ev.object, shift))
            watch_cpu += time.process_time() - c0
        for name, accept in (("JSON", "application/json"), ("Table", TABLE)):
            if prof:
                prof.enable()
            c0 = time.process_time()
            r = client.get("/api/v1/pods", headers={"Accept": accept})
            cpu[name].append(time.process_time() - c0)
            if prof:
                prof.disable()
            if r.status_code != 200:
                raise SystemExit(f"list: {r.status_code}")
    if prof:
        prof.dump_stats(args.cprofile)
    print(f"0 -> {args.pods} pods, lists every {args.every:g} simulated s ({len(cpu['JSON'])} rounds; "
          f"load average {os.getloadavg()[0]:.1f})")
    for name, xs in cpu.items():
        print(f"  {name:5}: CPU per list mean {sum(xs) / len(xs):.3f} s, max {max(xs):.3f} s; "
              + " ".join(f"{x:.2f}" for x in xs))
    if watcher is not None:
        print(f"  watch ({args.watch}): CPU {watch_cpu:.2f} s; watch and lists {watch_cpu + sum(map(sum, cpu.values())):.2f} s")


if __name__ == "__main__":
    main()
