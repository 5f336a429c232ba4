"""The apiserver's warnings on the wire (issue 15): `Warning: 299 - "<text>"` headers with `"`
and `\\` escaped (net.NewWarningHeader), one per warning, on the response to the write that
earned them — errors included, for what was recorded before the refusal. Field-validation
findings follow fieldValidation: unset means Warn (the apiserver's default, and what curl or
a client library get), Ignore drops them, Strict refuses. The editor's Apply answer carries
each object's warnings."""
from __future__ import annotations

import json

import pytest

from engine import Cluster, ManualClock, Store
from webapp import create_app
from webapp.extension import kubeplay_of

H = {"Host": "127.0.0.1"}
CMS = "/api/v1/namespaces/default/configmaps"


@pytest.fixture
def app():
    cluster = Cluster(store=Store(), clock=ManualClock(), nodes=1)
    cluster.run_until_idle()
    app = create_app(cluster)
    yield app
    kubeplay_of(app).close()


def post(client, path, body, query="", content_type="application/json"):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(path + query, data=data, headers=dict(H, **{"Content-Type": content_type}))


def cm(name, **extra):
    return dict({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}, **extra)


def test_unknown_field_is_a_warning_when_field_validation_is_unset(app):
    r = post(app.test_client(), CMS, cm("a", data={"k": "v"}, extra={"x": 1}))
    assert r.status_code == 201
    assert r.headers.getlist("Warning") == ['299 - "unknown field \\"extra\\""']
    assert "extra" not in r.get_json()


def test_ignore_sends_nothing_and_strict_refuses(app):
    c = app.test_client()
    r = post(c, CMS, cm("b", extra=1), "?fieldValidation=Ignore")
    assert (r.status_code, r.headers.getlist("Warning")) == (201, [])
    r = post(c, CMS, cm("c", extra=1), "?fieldValidation=Strict")
    assert r.status_code == 400 and r.headers.getlist("Warning") == []
    assert r.get_json()["message"].endswith('strict decoding error: unknown field "extra"')


def test_duplicate_fields_are_warnings_under_warn(app):
    c = app.test_client()
    body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"},"data":{"k":"1","k":"2"}}'
    r = post(c, CMS, body, "?fieldValidation=Warn")
    assert r.status_code == 201
    assert r.headers.getlist("Warning") == ['299 - "duplicate field \\"data.k\\""']
    assert r.get_json()["data"] == {"k": "2"}
    yaml_body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e\ndata:\n  k: '1'\n  k: '2'\n"
    r = post(c, CMS, yaml_body, content_type="application/yaml")
    assert r.status_code == 201
    assert r.headers.getlist("Warning") == ['299 - "line 7: key \\"k\\" already set in map"']


def test_warnings_recorded_before_a_refusal_are_sent_with_it(app):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "nginx", "bogus": True, "ports": [{"containerPort": 0}]}]}}
    r = post(app.test_client(), "/api/v1/namespaces/default/pods", pod)
    assert r.status_code == 422
    assert r.headers.getlist("Warning") == ['299 - "unknown field \\"spec.containers[0].bogus\\""']


def test_each_warning_is_one_header_in_the_recorders_order_once(app):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "q"},
           "spec": {"imagePullSecrets": [{"name": "r"}, {"name": "r"}, {"name": ""}],
                    "containers": [{"name": "c", "image": "nginx",
                                    "env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}],
                                    "resources": {"requests": {"memory": "100m"}}}]}}
    r = post(app.test_client(), "/api/v1/namespaces/default/pods", pod)
    assert r.status_code == 201, r.get_json()
    assert r.headers.getlist("Warning") == [
        '299 - "spec.imagePullSecrets[1].name: duplicate name \\"r\\""',
        '299 - "spec.imagePullSecrets[2].name: invalid empty name \\"\\""',
        '299 - "spec.containers[0].resources.requests[memory]: fractional byte value \\"100m\\" is invalid, must be an integer"',
        '299 - "spec.containers[0].env[1]: hides previous definition of \\"A\\", which may be dropped when using apply"',
    ]


def test_reads_and_engine_writes_send_no_warnings(app):
    c = app.test_client()
    post(c, CMS, cm("f", extra=1))
    r = c.get(CMS + "/f", headers=H)
    assert (r.status_code, r.headers.getlist("Warning")) == (200, [])


def test_the_editor_answer_carries_each_objects_warnings(app):
    c = app.test_client()
    c.environ_base["HTTP_X_KUBEPLAY_REQUEST"] = "page"
    text = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  selector: {a: b}\n"
            "  externalName: example.com\n  ports:\n  - port: 80\n---\n"
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: quiet\n")
    r = c.post("/kubeplay/v1/apply", json={"yaml": text, "namespace": "default"}, headers=H)
    assert r.status_code == 200, r.get_json()
    results = r.get_json()["results"]
    assert results[0]["warnings"] == ['spec.externalName is ignored when spec.type is not "ExternalName"']
    assert "warnings" not in results[1]


def test_a_pod_name_that_is_no_dns_label_is_warned_about_on_create(app):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web.v1"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    r = post(app.test_client(), "/api/v1/namespaces/default/pods", pod)
    assert r.status_code == 201
    assert r.headers.getlist("Warning") == [
        "299 - \"metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; "
        "a DNS label is recommended: [must not contain dots]\""]


def test_a_statefulsets_fractional_storage_request_is_warned_about(app):
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
           "spec": {"selector": {"matchLabels": {"a": "b"}}, "serviceName": "db",
                    "template": {"metadata": {"labels": {"a": "b"}},
                                 "spec": {"containers": [{"name": "c", "image": "nginx"}]}},
                    "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                              "spec": {"accessModes": ["ReadWriteOnce"],
                                                       "resources": {"requests": {"storage": "1500m"}}}}]}}
    r = post(app.test_client(), "/apis/apps/v1/namespaces/default/statefulsets", sts)
    assert r.status_code == 201, r.get_json()
    assert r.headers.getlist("Warning") == [
        '299 - "spec.volumeClaimTemplates[0].resources.requests[storage]: fractional byte value \\"1500m\\" '
        'is invalid, must be an integer"']


def test_the_in_page_kubectl_prints_warnings_before_its_line(app):
    d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "old"},
         "spec": {"selector": {"matchLabels": {"a": "b"}},
                  "template": {"metadata": {"labels": {"a": "b"}},
                               "spec": {"nodeSelector": {"beta.kubernetes.io/os": "linux"},
                                        "containers": [{"name": "c", "image": "nginx"}]}}}}
    warning = 'spec.template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead'
    r = post(app.test_client(), "/apis/apps/v1/namespaces/default/deployments", d)
    assert r.headers.getlist("Warning") == ['299 - "' + warning.replace('"', '\\"') + '"']
    c = app.test_client()
    c.environ_base["HTTP_X_KUBEPLAY_REQUEST"] = "page"
    r = c.post("/kubeplay/v1/terminal", json={"command": "kubectl scale deployment old --replicas=2"}, headers=H)
    assert r.get_json() == {"output": f"Warning: {warning}\ndeployment.apps/old scaled\n", "exitCode": 0}
    # A write that moves no generation has nothing to say.
    r = c.post("/kubeplay/v1/terminal", json={"command": "kubectl label deployment old a=b"}, headers=H)
    assert r.get_json() == {"output": "deployment.apps/old labeled\n", "exitCode": 0}
