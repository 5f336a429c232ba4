"""The realistic-timings switch: POST /kubeplay/v1/timings flips the shared Timings in place at
run time, GET /kubeplay/v1/clock reports it, and timers already under way behave: a live node
never goes NotReady because the grace period shrank, and long waits (evictions, termination
grace) are cut short when the new value is shorter."""
import pytest

from engine import objects, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.loop import Timings
from engine.store import Store


def page_client(app):
    """A test client sending the header the page sends (webapp/guard.py)."""
    c = app.test_client()
    c.environ_base["HTTP_X_KUBEPLAY_REQUEST"] = "page"
    return c

FAST = {"nodeMonitorGracePeriod": 8.0, "evictionTolerationCap": 5.0, "terminationGraceCap": 2.0}
REAL = {"nodeMonitorGracePeriod": 50.0, "evictionTolerationCap": None, "terminationGraceCap": None}


def make(realistic=False):
    c = Cluster(store=Store(), clock=ManualClock(), nodes=3, timings=Timings.realistic() if realistic else Timings())
    c.run_until_idle()
    return c


@pytest.fixture
def cluster():
    c = make()
    yield c
    c.stop()


@pytest.fixture
def real():
    c = make(realistic=True)
    yield c
    c.stop()


def client_of(cluster):
    from webapp import create_app
    return page_client(create_app(cluster))


def switch(client, realistic):
    r = client.post("/kubeplay/v1/timings", json={"realistic": realistic})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def node_ready(c, name):
    return objects.get_condition(c.store.get(kinds.NODE, "", name)["status"], "Ready")["status"]


def events(c, reason):
    return [e for e in c.store.iter(kinds.EVENT) if e["reason"] == reason]


def deployment(name="web", replicas=3):
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}}


# ---- the endpoint ----------------------------------------------------------------------------------

def test_the_switch_flips_the_shared_timings_and_the_clock_reports_it(cluster):
    client = client_of(cluster)
    body = client.get("/kubeplay/v1/clock").get_json()
    assert body["realisticTimings"] is False and body["timings"] == FAST

    body = switch(client, True)
    assert body["realisticTimings"] is True and body["timings"] == REAL
    assert client.get("/kubeplay/v1/clock").get_json()["timings"] == REAL
    assert client.get("/kubeplay/v1/timings").get_json()["realisticTimings"] is True
    # One object, changed in place: every controller sees the new values.
    assert all(ctrl.ctx.timings is cluster.timings for ctrl in cluster.controllers)
    assert cluster.timings.node_monitor_grace == 50.0 and cluster.timings.grace(30) == 30

    body = switch(client, False)
    assert body["realisticTimings"] is False and body["timings"] == FAST
    assert cluster.timings.grace(30) == 2.0 and cluster.timings.toleration(300) == 5.0
    assert switch(client, False)["realisticTimings"] is False           # idempotent


@pytest.mark.parametrize("body", [{}, {"realistic": "yes"}, {"realistic": 1}, [True], None])
def test_a_bad_body_is_a_400_status(cluster, body):
    client = client_of(cluster)
    r = client.post("/kubeplay/v1/timings", json=body) if body is not None else \
        client.post("/kubeplay/v1/timings", data="null", content_type="application/json")
    assert r.status_code == 400
    st = r.get_json()
    assert st["kind"] == "Status" and st["reason"] == "BadRequest"
    assert st["message"] == 'expected a JSON object such as {"realistic": true}'
    assert cluster.timings.realistic_mode is False


def test_the_page_shows_the_switch(cluster):
    client = client_of(cluster)
    html = client.get("/").get_data(as_text=True)
    assert 'id="timings"' in html and 'aria-pressed="false"' in html and ">fast timers<" in html
    switch(client, True)
    html = client.get("/").get_data(as_text=True)
    assert ">upstream timers<" in html and 'aria-pressed="true"' in html


# ---- timers already under way --------------------------------------------------------------------

def test_shrinking_the_grace_period_never_fails_a_live_node(real):
    """Realistic leases are renewed every 10 s against a 50 s grace; switching to fast (8 s
    grace) when the leases are 9 s old must renew them at once, before any monitor looks."""
    client = client_of(real)
    real.advance(9)
    switch(client, False)
    real.advance(60)
    assert [node_ready(real, f"node-{i}") for i in (1, 2, 3)] == ["True"] * 3
    assert events(real, "NodeNotReady") == []
    lease = real.store.get(kinds.LEASE, "kube-node-lease", "node-1")
    assert real.clock.now() - objects.parse_time(lease["spec"]["renewTime"]) <= 4.0 + 1e-6   # fast lease period


def test_growing_the_grace_period_keeps_nodes_ready(cluster):
    client = client_of(cluster)
    cluster.advance(3)
    switch(client, True)
    cluster.advance(300)
    assert [node_ready(cluster, f"node-{i}") for i in (1, 2, 3)] == ["True"] * 3
    assert events(cluster, "NodeNotReady") == []


def test_a_failed_node_follows_the_grace_period_in_force(real):
    client = client_of(real)
    real.fail_node("node-2")
    real.advance(20)
    assert node_ready(real, "node-2") == "True"          # 50 s upstream grace not over
    switch(client, False)                                # 8 s now: already overdue
    real.advance(1)
    assert node_ready(real, "node-2") == "Unknown"
    assert node_ready(real, "node-1") == "True"


def test_switching_to_fast_cuts_a_pending_eviction_short(real):
    client = client_of(real)
    real.store.create(deployment())
    real.advance(10)
    victims = [objects.name_of(p) for p in real.store.iter(kinds.POD, "default") if p["spec"].get("nodeName") == "node-1"]
    assert victims
    real.fail_node("node-1")
    real.advance(70)                                     # NotReady after 50 s; eviction due after 300 s
    assert node_ready(real, "node-1") == "Unknown"
    assert all(not objects.is_terminating(real.store.get(kinds.POD, "default", v)) for v in victims)
    switch(client, False)                                # toleration capped at 5 s: overdue now
    real.advance(1)
    assert all(objects.is_terminating(real.store.get(kinds.POD, "default", v)) for v in victims)
    assert len(events(real, "TaintManagerEviction")) == len(victims)


def test_switching_to_fast_shortens_a_termination_grace_period_under_way(real):
    client = client_of(real)
    real.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "slow", "namespace": "default"},
                       "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}})
    real.advance(5)
    real.store.delete(kinds.POD, "default", "slow")          # 30 s grace under realistic timings
    real.advance(5)
    assert objects.is_terminating(real.store.get(kinds.POD, "default", "slow"))
    switch(client, False)                                # capped at 2 s from the deletion: overdue
    real.advance(0.5)
    assert real.store.try_get(kinds.POD, "default", "slow") is None


def test_switching_to_realistic_never_lengthens_a_wait_under_way(cluster):
    client = client_of(cluster)
    cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "quick", "namespace": "default"},
                          "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}})
    cluster.advance(5)
    cluster.store.delete(kinds.POD, "default", "quick")      # 2 s under fast timings
    cluster.advance(1)
    switch(client, True)
    cluster.advance(1.5)
    assert cluster.store.try_get(kinds.POD, "default", "quick") is None
