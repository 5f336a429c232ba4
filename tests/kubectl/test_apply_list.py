"""`kubectl apply -f` of a `kind: List` file, with both kubectls. kubectl validates a List's items
client-side against the OpenAPI v2 models (GET /openapi/v2 in gnostic protobuf), so these pass
only if /openapi/v2 is served and kubectl can parse it: creating the items, the round trip of
`kubectl get deploy -o yaml` output, and kubectl's own text for an unknown field in an item."""
from __future__ import annotations

import json


def _pod(name: str, **spec_extra) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "nginx"}], **spec_extra}}


def _list(*items) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": list(items)})


def test_apply_of_a_list_on_stdin_creates_its_items(kube_ns):
    kube = kube_ns
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"k": "v"}}
    out = kube("apply", "-f", "-", input=_list(_pod("listed"), cm))
    assert (out.stdout, out.stderr) == ("pod/listed created\nconfigmap/settings created\n", "")
    assert kube.server.get_json(f"/api/v1/namespaces/{kube.ns}/pods/listed")["spec"]["containers"][0]["image"] == "nginx"
    assert kube.server.get_json(f"/api/v1/namespaces/{kube.ns}/configmaps/settings")["data"] == {"k": "v"}
    again = kube("apply", "-f", "-", input=_list(_pod("listed"), cm))
    assert again.stdout == "pod/listed unchanged\nconfigmap/settings unchanged\n"


def test_get_deploy_yaml_applies_back(kube_ns, tmp_path):
    kube = kube_ns
    kube("create", "deployment", "web", "--image=nginx", "--replicas=2")
    kube("create", "deployment", "api", "--image=nginx")

    def settled():
        for name, want in (("web", 2), ("api", 1)):
            status = kube.deployment(name).get("status") or {}
            conditions = {c["type"]: c.get("reason") for c in status.get("conditions") or ()}
            assert status.get("availableReplicas") == want and status.get("updatedReplicas") == want, status
            assert conditions.get("Progressing") == "NewReplicaSetAvailable", conditions
        return True
    kube.server.wait_until(settled, message="both deployments rolled out")
    saved = tmp_path / "deploys.yaml"
    listed = kube("get", "deploy", "-o", "yaml").stdout
    assert listed.startswith("apiVersion: v1\nitems:\n") and "\nkind: List\n" in listed
    saved.write_text(listed)
    before = {n: kube.deployment(n)["spec"] for n in ("api", "web")}
    out = kube("apply", "-f", str(saved))
    assert out.stdout == "deployment.apps/api configured\ndeployment.apps/web configured\n"
    # created without apply: kubectl warns once per object that it adds the annotation now
    assert out.stderr.count("is missing the kubectl.kubernetes.io/last-applied-configuration annotation") == 2
    after = {n: kube.deployment(n) for n in ("api", "web")}
    assert {n: d["spec"] for n, d in after.items()} == before
    assert all("kubectl.kubernetes.io/last-applied-configuration" in d["metadata"]["annotations"]
               for d in after.values())


def test_unknown_field_in_a_list_item_is_reported_as_kubectl_reports_it_and_nothing_is_created(kube_ns):
    kube = kube_ns
    bad = _list(_pod("fine"), _pod("typo", foo=1))
    out = kube("apply", "-f", "-", input=bad, check=False)
    assert out.returncode == 1
    assert out.stdout == ""
    assert out.stderr == (
        'error: error validating "STDIN": error validating data: ValidationError(Pod.spec): '
        'unknown field "foo" in io.k8s.api.core.v1.PodSpec; '
        "if you choose to ignore these errors, turn validation off with --validate=false\n")
    assert kube("get", "pods").stdout == ""
    # two errors are listed together, the deeper one first as kubectl sorts them
    worse = _list(_pod("typo", foo=1, containers=[{"name": "c", "image": "nginx", "bar": 2}]))
    out = kube("apply", "-f", "-", input=worse, check=False)
    assert out.returncode == 1
    assert 'error validating data: [ValidationError(Pod.spec.containers[0]): unknown field "bar" in ' \
           'io.k8s.api.core.v1.Container, ValidationError(Pod.spec): unknown field "foo" in ' \
           "io.k8s.api.core.v1.PodSpec]; if you choose" in out.stderr, out.stderr


def test_validate_false_skips_the_client_side_check(kube_ns):
    kube = kube_ns
    out = kube("apply", "--validate=false", "-f", "-", input=_list(_pod("loose", foo=1)))
    assert out.stdout == "pod/loose created\n"
    assert "foo" not in kube.server.get_json(f"/api/v1/namespaces/{kube.ns}/pods/loose")["spec"]


def test_explain_still_reads_the_v3_documents(kube_ns):
    kube = kube_ns
    out = kube("explain", "pod.spec.containers.ports").stdout
    assert "KIND:       Pod\nVERSION:    v1\n" in out
    assert "FIELD: ports <[]ContainerPort>" in out
    assert "  containerPort\t<integer> -required-\n" in out
