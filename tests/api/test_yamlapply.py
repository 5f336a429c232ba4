"""The editor's Apply / Delete (webapp/page/editor.py, webapp/kubectl/yamlapply.py): YAML
reading with line marks and limits, field path → line, and the HTTP endpoints against a real
in-memory cluster on a manual clock."""
from __future__ import annotations


import pytest

from engine import resources as kinds
from webapp.kubectl.manifests import MAX_NODES, Refusal, line_of_field, parse_documents, parse_field_path

PAGE_HEADERS = {"X-Kubeplay-Request": "page"}     # what the page sends (webapp/guard.py)


def page_client(app):
    """A test client sending the header the page sends (webapp/guard.py)."""
    c = app.test_client()
    c.environ_base["HTTP_X_KUBEPLAY_REQUEST"] = "page"
    return c

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: login-app
spec:
  replicas: 3
  selector:
    matchLabels:
      app: login-app
  template:
    metadata:
      labels:
        app: login-app
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: login-app
spec:
  selector:
    app: login-app
  ports:
  - port: 80
"""


# ---- reading YAML ------------------------------------------------------------------------------

def test_documents_keep_their_index_and_first_line():
    text = "# comment\n" + DEPLOYMENT + "---\n---\n" + SERVICE
    docs = parse_documents(text)
    assert [d.index for d in docs] == [0, 2]              # the empty document still counts
    assert [d.first_line for d in docs] == [2, 23]
    assert docs[1].obj["kind"] == "Service"


def test_values_are_json_values():
    (doc,) = parse_documents("a: 2026-01-01\nb: !!binary aGk=\n1: x\ntrue: y\nc: yes\n")
    assert doc.obj == {"a": "2026-01-01", "b": "aGk=", "1": "x", "true": "y", "c": True}


@pytest.mark.parametrize("text,line,column,problem", [
    ("a: [1, 2\nb: 3\n", 2, 2, "expected ',' or ']', but got ':'"),
    ("a: b\n c: d\n", 2, 3, "mapping values are not allowed here"),
    ("a:\n\t- b\n", 2, 1, "found character '\\t' that cannot start any token"),
    ("a: *nope\n", 1, 4, "found undefined alias 'nope'"),
])
def test_syntax_errors_carry_pyyaml_problem_and_1_based_mark(text, line, column, problem):
    with pytest.raises(Refusal) as e:
        parse_documents(text)
    assert e.value.code == 400
    body = dict(e.value.body)
    assert body.pop("hint"), "each of these has a plain-language hint (webapp/kubectl/yamlhints.py)"
    assert body == {"message": problem, "line": line, "column": column}


def test_an_alias_bomb_is_refused_by_its_node_count():
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    with pytest.raises(Refusal) as e:       # (how fast: bench/api_latency.py)
        parse_documents("\n".join(lines) + "\n")
    assert e.value.code == 400 and str(MAX_NODES) in e.value.body["message"]


def test_a_self_referencing_alias_is_refused():
    with pytest.raises(Refusal) as e:
        parse_documents("a: &x [1, *x]\n")
    assert "recursive" in e.value.body["message"] or "alias" in e.value.body["message"]


def test_deep_nesting_is_refused_not_crashed():
    with pytest.raises(Refusal) as e:
        parse_documents("[" * 5000 + "]" * 5000)
    assert e.value.code == 400


def test_too_large_text_is_refused():
    with pytest.raises(Refusal) as e:
        parse_documents("a: " + "x" * 1_100_000)
    assert e.value.code == 413


# ---- field path → line ---------------------------------------------------------------------------

def test_field_paths_parse_like_kubernetes_writes_them():
    assert parse_field_path("spec.template.spec.containers[0].ports[0].containerPort") == [
        "spec", "template", "spec", "containers", "[0]", "ports", "[0]", "containerPort"]
    assert parse_field_path("metadata.labels[app.kubernetes.io/name]") == [
        "metadata", "labels", "[app.kubernetes.io/name]"]


@pytest.mark.parametrize("path,line", [
    ("metadata.name", 4),
    ("spec.replicas", 6),
    ("spec.template.spec.containers[0].image", 17),
    ("spec.template.spec.containers[0].ports[0].containerPort", 19),
    ("spec.template.spec.containers[0]", 16),
    ("spec.template.metadata.labels", 12),
    ("spec.selector.matchLabels[app]", 9),
    ("spec.strategy.rollingUpdate", 5),                   # missing: nearest ancestor (spec)
    ("spec.template.spec.containers[3].image", 15),        # no such item: the list's key
    ("status", None),
])
def test_a_field_maps_to_its_key_line_or_nearest_ancestor(path, line):
    (doc,) = parse_documents(DEPLOYMENT)
    assert line_of_field(doc.node, path) == line


def test_lines_count_from_the_start_of_the_editor_text():
    (_, doc) = parse_documents(DEPLOYMENT + "---\n" + SERVICE)
    assert line_of_field(doc.node, "spec.ports[0].port") == 20 + 9


# ---- HTTP -----------------------------------------------------------------------------------------

def post(client, path, text, namespace="default"):
    r = client.post(path, json={"yaml": text, "namespace": namespace})
    return r.status_code, r.get_json()


def test_apply_creates_then_reports_unchanged_then_configured(client, cluster):
    code, body = post(client, "/kubeplay/v1/apply", DEPLOYMENT + "---\n" + SERVICE)
    assert code == 200
    assert [(r["kind"], r["name"], r["namespace"], r["action"]) for r in body["results"]] == [
        ("Deployment", "login-app", "default", "created"), ("Service", "login-app", "default", "created")]
    assert [r["text"] for r in body["results"]] == ["deployment.apps/login-app created", "service/login-app created"]
    cluster.run_until_idle()
    code, body = post(client, "/kubeplay/v1/apply", DEPLOYMENT + "---\n" + SERVICE)
    assert [r["action"] for r in body["results"]] == ["unchanged", "unchanged"]
    code, body = post(client, "/kubeplay/v1/apply", DEPLOYMENT.replace("replicas: 3", "replicas: 2"))
    assert body["results"][0]["action"] == "configured"
    assert cluster.store.get(kinds.DEPLOYMENT, "default", "login-app")["spec"]["replicas"] == 2


def test_replicas_removed_from_the_file_reset_once_then_belong_to_kubectl_scale(client, cluster):
    """The HPA migration caveat of the Kubernetes docs: the first apply without spec.replicas
    deletes it (back to the default 1); after that, scaling is left alone."""
    post(client, "/kubeplay/v1/apply", DEPLOYMENT)
    without = DEPLOYMENT.replace("  replicas: 3\n", "")
    code, body = post(client, "/kubeplay/v1/apply", without)
    assert body["results"][0]["action"] == "configured"
    assert cluster.store.get(kinds.DEPLOYMENT, "default", "login-app")["spec"]["replicas"] == 1
    cluster.store.patch(kinds.DEPLOYMENT, "default", "login-app", "merge", {"spec": {"replicas": 5}})
    code, body = post(client, "/kubeplay/v1/apply", without)
    assert body["results"][0]["action"] == "unchanged"
    assert cluster.store.get(kinds.DEPLOYMENT, "default", "login-app")["spec"]["replicas"] == 5


def test_a_syntax_error_applies_nothing(client, cluster):
    code, body = post(client, "/kubeplay/v1/apply", SERVICE + "---\nkind: [oops\n")
    assert code == 400
    assert body["error"]["line"] == 12 and body["error"]["column"] >= 1
    assert cluster.store.try_get(kinds.SERVICE, "default", "login-app") is None


def test_an_invalid_document_is_reported_at_its_field_line_and_nothing_is_applied(client, cluster):
    bad = DEPLOYMENT.replace("containerPort: 80", "containerPort: 99999")
    code, body = post(client, "/kubeplay/v1/apply", SERVICE + "---\n" + bad)
    assert code == 422
    err = body["error"]
    assert err["message"] == ('The Deployment "login-app" is invalid: spec.template.spec.containers[0].ports[0]'
                              '.containerPort: Invalid value: 99999: must be between 1 and 65535, inclusive')
    assert err["field"] == "spec.template.spec.containers[0].ports[0].containerPort"
    assert err["document"] == 1
    assert err["line"] == 9 + 1 + 19          # SERVICE, "---", then the 19th line
    assert err["status"]["reason"] == "Invalid" and err["status"]["code"] == 422
    assert cluster.store.try_get(kinds.SERVICE, "default", "login-app") is None    # the valid one too


def test_several_causes_use_kubectls_multiline_form(client):
    bad = DEPLOYMENT.replace("  selector:\n    matchLabels:\n      app: login-app\n", "")
    code, body = post(client, "/kubeplay/v1/apply", bad)
    assert code == 422
    assert body["error"]["message"].splitlines() == [
        'The Deployment "login-app" is invalid: ',
        "* spec.selector: Required value",
        '* spec.template.metadata.labels: Invalid value: {"app":"login-app"}: `selector` does not match template `labels`']
    assert body["error"]["field"] == "spec.selector" and body["error"]["line"] == 5


def test_other_refusals_print_as_error_from_server(client):
    code, body = post(client, "/kubeplay/v1/apply", DEPLOYMENT.replace("replicas: 3", "replica: 3"))
    assert code == 400
    assert body["error"]["message"].startswith("Error from server (BadRequest): ")
    assert body["error"]["line"] == 6
    code, body = post(client, "/kubeplay/v1/apply", DEPLOYMENT.replace("kind: Deployment", "kind: Deploymnt"))
    assert code == 400 and 'no matches for kind "Deploymnt" in version "apps/v1"' in body["error"]["message"]
    assert body["error"]["line"] == 2


def test_a_namespace_created_earlier_in_the_same_text_is_usable(client, cluster):
    text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\n" + SERVICE.replace(
        "name: login-app", "name: login-app\n  namespace: shop")
    code, body = post(client, "/kubeplay/v1/apply", text)
    assert code == 200, body
    assert cluster.store.get(kinds.SERVICE, "shop", "login-app")


def test_delete_reports_each_document(client, cluster):
    post(client, "/kubeplay/v1/apply", SERVICE)
    code, body = post(client, "/kubeplay/v1/delete", SERVICE + "---\n" + DEPLOYMENT)
    assert code == 200
    assert [(r["kind"], r["action"]) for r in body["results"]] == [("Service", "deleted"), ("Deployment", "notfound")]
    assert body["results"][0]["text"] == 'service "login-app" deleted from default namespace'
    assert body["results"][1]["text"] == 'Error from server (NotFound): deployments.apps "login-app" not found'
    assert cluster.store.try_get(kinds.SERVICE, "default", "login-app") is None


def test_bad_requests(client):
    assert client.post("/kubeplay/v1/apply", json={"nope": 1}).status_code == 400
    assert client.post("/kubeplay/v1/apply", data="x", content_type="text/plain").status_code == 415


def test_a_v1_list_document_applies_each_item_and_maps_errors_inside_it(client, cluster):
    items = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: settings
  data:
    a: "1"
- apiVersion: v1
  kind: Service
  metadata:
    name: web
  spec:
    ports:
    - port: 80
      nodePort: 80
    type: NodePort
"""
    code, body = post(client, "/kubeplay/v1/apply", items)
    assert code == 422
    assert body["error"]["field"] == "spec.ports[0].nodePort" and body["error"]["line"] == 17
    assert cluster.store.try_get(kinds.CONFIGMAP, "default", "settings") is None
    code, body = post(client, "/kubeplay/v1/apply", items.replace("      nodePort: 80\n", ""))
    assert code == 200
    assert [(r["kind"], r["action"], r["document"]) for r in body["results"]] == [
        ("ConfigMap", "created", 0), ("Service", "created", 0)]


# ---- against the real kubectl -------------------------------------------------------------------


def _editor(server, verb: str, text: str) -> tuple[int, dict]:
    import json
    import urllib.error
    import urllib.request
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    req = urllib.request.Request(f"{server.url}/kubeplay/v1/{verb}", method="POST",
                                 data=json.dumps({"yaml": text, "namespace": "default"}).encode(),
                                 headers={"Content-Type": "application/json", **PAGE_HEADERS})
    try:
        with opener.open(req, timeout=20) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_the_editor_and_kubectl_apply_share_last_applied(kubeplay_server, tmp_path):
    """Byte-compatible annotations: what one applied, the other sees as unchanged, both ways; and
    both report `configured` for a manifest hitting the retainKeys quirk."""
    text = DEPLOYMENT.replace("  replicas: 3\n", "  replicas: 3\n  strategy:\n    type: RollingUpdate\n"
                              "    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}\n").replace(
        "        - containerPort: 80\n", "        - containerPort: 80\n        env:\n        - {name: B, value: \"<2> & 3\"}\n")
    changed = text.replace("nginx:1.25", "nginx:1.26")
    f1, f2 = tmp_path / "a.yaml", tmp_path / "b.yaml"
    f1.write_text(text + "---\n" + SERVICE)
    f2.write_text(changed + "---\n" + SERVICE)
    assert kubeplay_server.kubectl("apply", "-f", f1).stdout == \
        "deployment.apps/login-app created\nservice/login-app created\n"
    code, body = _editor(kubeplay_server, "apply", f1.read_text())
    assert (code, [r["action"] for r in body["results"]]) == (200, ["unchanged", "unchanged"])
    code, body = _editor(kubeplay_server, "apply", f2.read_text())
    assert [r["action"] for r in body["results"]] == ["configured", "unchanged"]
    assert kubeplay_server.kubectl("apply", "-f", f2).stdout == \
        "deployment.apps/login-app unchanged\nservice/login-app unchanged\n"
    quirk = tmp_path / "q.yaml"
    quirk.write_text(DEPLOYMENT.replace("login-app", "quirk").replace(
        "  replicas: 3\n", "  replicas: 3\n  strategy:\n    type: RollingUpdate\n"))
    kubeplay_server.kubectl("apply", "-f", quirk)
    assert kubeplay_server.kubectl("apply", "-f", quirk).stdout == "deployment.apps/quirk configured\n"
    assert _editor(kubeplay_server, "apply", quirk.read_text())[1]["results"][0]["action"] == "configured"
    code, body = _editor(kubeplay_server, "delete", f1.read_text())
    assert [r["text"] for r in body["results"]] == ['deployment.apps "login-app" deleted from default namespace',
                                                    'service "login-app" deleted from default namespace']
