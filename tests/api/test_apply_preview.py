"""The editor's Apply preview (webapp/kubectl/applypreview.py): a server-side dry run that says what
would change — the diff and the pods created, replaced or deleted — and writes nothing; and the
editor's error positions (a list item without its merge key; YAML hints)."""
from __future__ import annotations

import pytest

from engine import resources as kinds
from test_yamlapply import DEPLOYMENT, SERVICE, page_client


@pytest.fixture
def cluster():
    from engine.clock import ManualClock
    from engine.cluster import Cluster
    from engine.store import Store
    c = Cluster(store=Store(), clock=ManualClock(), nodes=3)
    c.run_until_idle()
    yield c


@pytest.fixture
def client(cluster):
    from webapp import create_app
    return page_client(create_app(cluster))


def preview(client, text):
    r = client.post("/kubeplay/v1/apply", json={"yaml": text, "preview": True})
    return r.status_code, r.get_json()


def settle(cluster):
    for _ in range(5):
        cluster.run_until_idle()
        cluster.clock.advance(10)
    cluster.run_until_idle()


def test_a_preview_of_new_objects_writes_nothing_and_counts_the_pods(client, cluster):
    code, body = preview(client, DEPLOYMENT + "---\n" + SERVICE)
    assert code == 200
    dep, svc = body["preview"]
    assert (dep["kind"], dep["action"], dep["pods"]["create"]) == ("Deployment", "created", 3)
    assert dep["pods"]["summary"] == ["3 pods will be created"]
    assert "+  replicas: 3" in dep["diff"].splitlines()
    assert (svc["kind"], svc["action"], svc["pods"]["summary"]) == ("Service", "created", [])
    assert cluster.store.try_get(kinds.DEPLOYMENT, "default", "login-app") is None
    assert cluster.store.try_get(kinds.SERVICE, "default", "login-app") is None


def test_a_preview_after_kubectl_scale_shows_the_replicas_going_back_and_which_pods(client, cluster):
    client.post("/kubeplay/v1/apply", json={"yaml": DEPLOYMENT})
    settle(cluster)
    cluster.store.patch(kinds.DEPLOYMENT, "default", "login-app", "merge", {"spec": {"replicas": 5}})
    settle(cluster)
    code, body = preview(client, DEPLOYMENT)
    (dep,) = body["preview"]
    assert dep["action"] == "configured"
    assert "-  replicas: 5" in dep["diff"].splitlines() and "+  replicas: 3" in dep["diff"].splitlines()
    assert (dep["pods"]["create"], dep["pods"]["delete"], dep["pods"]["replace"]) == (0, 2, 0)
    assert len(dep["pods"]["names"]) == 5
    assert cluster.store.get(kinds.DEPLOYMENT, "default", "login-app")["spec"]["replicas"] == 5


def test_a_template_change_previews_a_rolling_replacement(client, cluster):
    client.post("/kubeplay/v1/apply", json={"yaml": DEPLOYMENT})
    settle(cluster)
    code, body = preview(client, DEPLOYMENT.replace("nginx:1.25", "nginx:1.26"))
    (dep,) = body["preview"]
    assert "+        image: nginx:1.26" in dep["diff"].splitlines()
    assert dep["pods"]["replace"] == 3 and dep["pods"]["create"] == dep["pods"]["delete"] == 0
    assert dep["pods"]["summary"] == ["3 pods will be replaced by a rolling update (at most 1 extra, 0 unavailable at a time)"]
    code, body = preview(client, DEPLOYMENT)
    assert body["preview"][0]["action"] == "unchanged" and body["preview"][0]["diff"] == ""


def test_a_refused_preview_is_the_applys_refusal_at_its_line(client):
    bad = DEPLOYMENT.replace("containerPort: 80", "containerPort: 99999")
    code, body = preview(client, bad)
    assert code == 422 and body["error"]["line"] == 19


def test_a_container_without_its_name_is_reported_at_its_line_not_the_first(client, cluster):
    client.post("/kubeplay/v1/apply", json={"yaml": DEPLOYMENT})
    bad = DEPLOYMENT.replace("      - name: web", "      - nmae: web")
    assert bad.splitlines()[15] == "      - nmae: web"
    r = client.post("/kubeplay/v1/apply", json={"yaml": bad})
    err = r.get_json()["error"]
    assert err["message"].endswith("does not contain declared merge key: name"), err
    assert (err["line"], err["field"]) == (16, "spec.template.spec.containers[0]")


@pytest.mark.parametrize("text, hint", [
    ("a: b: c\n", "a colon inside a value (quote the value), or wrong indentation on this line or the one above"),
    ("a:\n\tb: 1\n", "a tab character: YAML indents with spaces only"),
    ("a:\n  b: 1\n c: 2\n", "wrong indentation: this line is indented differently from the lines around it"),
])
def test_syntax_errors_carry_a_plain_language_hint_beside_the_parsers_text(client, text, hint):
    r = client.post("/kubeplay/v1/apply", json={"yaml": text, "preview": True})
    err = r.get_json()["error"]
    assert r.status_code == 400 and err["hint"] == hint and err["line"] and err["message"]
