"""Time that keeps kubectl honest (issue 9 item 7): after 10x and Step the simulated clock is
ahead of the wall clock, and the real kubectl's own arithmetic (`describe`'s event ages, which it
computes as its wall clock minus a timestamp) still prints the simulated ages, never `<invalid>`.
The model is webapp/api/clientframe.py's: timestamps are served shifted back by the clock's lead."""
from __future__ import annotations

import datetime as dt
import json
import re
import time

from kubectl_client import Kube

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "y": 365 * 86400}


def seconds(human: str) -> int:
    """kubectl's HumanDuration back to seconds ("6m27s" → 387, "12m" → 720)."""
    assert re.fullmatch(r"(\d+[smhdy])+", human), human
    return sum(int(n) * UNITS[u] for n, u in re.findall(r"(\d+)([smhdy])", human))


def ts(s: str) -> float:
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def test_after_10x_and_steps_kubectl_get_and_describe_print_the_simulated_ages(
        kubeplay_factory, kubectl_version, kubectl_session, tmp_path):
    server = kubeplay_factory(speed=1)
    kube = Kube(kubectl_session(server, tmp_path / "kubectl", namespace="default", version=kubectl_version),
                "default", kubectl_version)

    def clock(**change) -> dict:
        return server.post_json("/kubeplay/v1/clock", change) if change else server.get_json("/kubeplay/v1/clock")

    kube("create", "deployment", "web", "--image=nginx", "--replicas=2")
    kube.wait_running("app=web", 2)
    clock(speed=10)
    server.wait_until(lambda: clock()["nowSeconds"] - time.time() > 20, 30,
                      message="the simulated clock 20 s ahead of the wall clock at 10x")
    clock(paused=True)
    for _ in range(3):
        clock(step=120)
    now = clock()["nowSeconds"]                   # paused: every age below is fixed
    assert now - time.time() > 360, "the simulated clock is well ahead of the wall clock"

    pods = {p["metadata"]["name"]: p for p in kube.pods("app=web")}    # simulated time (page frame)
    sim_age = {name: now - ts(p["metadata"]["creationTimestamp"]) for name, p in pods.items()}
    assert all(age > 380 for age in sim_age.values()), sim_age

    # kubectl get: AGE printed by the server.
    out = kube("get", "pods", "-l", "app=web").stdout
    assert "<invalid>" not in out, out
    _, rows = kube.table("get", "pods", "-l", "app=web")
    for r in rows:
        assert abs(seconds(r["AGE"]) - sim_age[r["NAME"]]) <= 61, (r, sim_age)

    # kubectl get -o json: no timestamp in kubectl's future.
    served = json.loads(kube("get", "pods", "-l", "app=web", "-o", "json").stdout)["items"]
    wall = time.time()
    for p in served:
        assert ts(p["metadata"]["creationTimestamp"]) <= wall + 1, (p["metadata"]["creationTimestamp"], wall)
        for c in p["status"]["conditions"]:
            assert ts(c["lastTransitionTime"]) <= wall + 1, (c, wall)

    # kubectl describe: the events' ages are kubectl's own arithmetic against its wall clock.
    name = sorted(pods)[0]
    text = kube("describe", "pod", name).stdout
    assert "<invalid>" not in text, text
    ages = re.findall(r"^  (?:Normal|Warning)\s+\S+\s+(\S+)", text, re.M)
    assert ages, text
    for age in ages:
        # Each event happened between the pod's creation and the 10x run: as old as the pod at
        # most, and older than the 6 minutes stepped since.
        assert 360 <= seconds(age) <= sim_age[name] + 61, (age, sim_age[name], text)

    # Running again at 1x, the clock stays ahead and kubectl still agrees.
    clock(paused=False, speed=1)
    text = kube("describe", "pod", name).stdout
    assert "<invalid>" not in text, text
    out = kube("get", "pods", "-l", "app=web").stdout
    assert "<invalid>" not in out, out
