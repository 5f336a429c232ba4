"""The kubernetes.io task "Extend the Kubernetes API with CustomResourceDefinitions" (the CronTab
of stable.example.com), step by step with the real kubectl (both versions): create the CRD, then
a CronTab; `kubectl get crontab`, `get ct -o yaml`; deleting the CRD deletes its objects; then the
Validation, Defaulting, Additional printer columns and Categories sections, `kubectl explain`,
and `kubectl scale` through a scale subresource. Manifests: testdata/crd-tutorial."""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from kubectl_client import Kube

DATA = Path(__file__).resolve().parent / "testdata" / "crd-tutorial"
CRD = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com"
CRONTABS = "/apis/stable.example.com/v1/namespaces/default/crontabs"


def _f(name: str) -> str:
    return str(DATA / name)


def _gone(kube, path):
    def check():
        try:
            kube.server.get_json(path)
        except Exception as e:          # urllib's HTTPError 404
            return "404" in str(e)
        return False
    return check


def test_the_crontab_tutorial_step_by_step(kube_crontab):
    kube = kube_crontab
    out = kube("apply", "-f", _f("resourcedefinition.yaml")).stdout
    assert out == "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created\n"
    assert kube("wait", "--for", "condition=established", "--timeout=20s",
                "crd/crontabs.stable.example.com").stdout == \
        "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com condition met\n"
    crd = kube.server.get_json(CRD)
    conds = {c["type"]: c for c in crd["status"]["conditions"]}
    assert conds["Established"]["status"] == "True" and conds["NamesAccepted"]["status"] == "True"
    assert crd["status"]["acceptedNames"]["shortNames"] == ["ct"]
    assert crd["metadata"]["finalizers"] == ["customresourcecleanup.apiextensions.k8s.io"]
    head, rows = kube.table("get", "crd")
    assert head == ["NAME", "CREATED AT"]
    assert [r["NAME"] for r in rows] == ["crontabs.stable.example.com"]

    assert kube("apply", "-f", _f("my-crontab.yaml")).stdout == "crontab.stable.example.com/my-new-cron-object created\n"
    head, rows = kube.table("get", "crontab")
    assert head == ["NAME", "AGE"] and [r["NAME"] for r in rows] == ["my-new-cron-object"]
    listed = yaml.safe_load(kube("get", "ct", "-o", "yaml").stdout)
    item = listed["items"][0]
    assert item["apiVersion"] == "stable.example.com/v1" and item["kind"] == "CronTab"
    assert item["spec"] == {"cronSpec": "* * * * */5", "image": "my-awesome-cron-image"}
    assert item["metadata"]["generation"] == 1 and item["metadata"]["namespace"] == "default"
    # applying it again is a no-op (client-side apply of a custom kind: a JSON merge patch)
    assert kube("apply", "-f", _f("my-crontab.yaml")).stdout == \
        "crontab.stable.example.com/my-new-cron-object unchanged\n"
    assert "cronSpec" in kube("explain", "crontab.spec").stdout

    out = kube("delete", "-f", _f("resourcedefinition.yaml")).stdout
    assert out == 'customresourcedefinition.apiextensions.k8s.io "crontabs.stable.example.com" deleted\n'
    kube.server.wait_until(_gone(kube, CRD), timeout=30, message="the CRD is gone after its objects")
    kube.server.wait_until(lambda: "crontabs" not in str(kube.server.get_json("/apis")) and
                           "stable.example.com" not in str(kube.server.get_json("/apis")), timeout=10,
                           message="stable.example.com no longer served")
    cp = kube("get", "crontabs", check=False)
    assert cp.returncode != 0
    # kubectl's cached discovery still names the type (the page's text), or a fresh one does not
    assert ('Unable to list "stable.example.com/v1, Resource=crontabs": the server could not find the requested '
            'resource' in cp.stderr) or 'the server doesn\'t have a resource type "crontabs"' in cp.stderr

    # Validation
    kube("apply", "-f", _f("resourcedefinition-validation.yaml"))
    cp = kube("apply", "-f", _f("my-crontab-invalid.yaml"), check=False)
    assert cp.returncode == 1
    assert 'The CronTab "my-new-cron-object" is invalid: \n' in cp.stderr
    assert ("* spec.cronSpec: Invalid value: \"* * * *\": spec.cronSpec in body should match "
            "'^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'") in cp.stderr
    assert "* spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10" in cp.stderr
    kube("apply", "-f", _f("my-crontab-valid.yaml"))
    kube("delete", "-f", _f("my-crontab-valid.yaml"))

    # Defaulting
    kube("apply", "-f", _f("resourcedefinition-defaulting.yaml"))
    kube("apply", "-f", _f("my-crontab-defaulted.yaml"))
    got = yaml.safe_load(kube("get", "ct", "my-new-cron-object", "-o", "yaml").stdout)
    assert got["spec"] == {"cronSpec": "5 0 * * *", "image": "my-awesome-cron-image", "replicas": 1}

    # Additional printer columns and categories
    kube("apply", "-f", _f("resourcedefinition-columns.yaml"))
    head, rows = kube.table("get", "crontab", "my-new-cron-object")
    assert head == ["NAME", "SPEC", "REPLICAS", "AGE"]
    assert rows[0]["SPEC"] == "5 0 * * *" and rows[0]["REPLICAS"] == "1"
    # (kubectl keeps its discovery cache for hours: api-resources refreshes it, as a user would)
    assert "crontabs" in kube("api-resources", "--categories=all").stdout
    out = kube("get", "all").stdout
    assert "crontab.stable.example.com/my-new-cron-object" in out

    kube("delete", "crd", "crontabs.stable.example.com")
    kube.server.wait_until(_gone(kube, CRONTABS.replace("/crontabs", "/crontabs/my-new-cron-object")), timeout=30,
                           message="the CronTab went with its CRD")


def test_scale_wide_columns_server_side_apply_and_a_restart(kube_factory, kubectl_version, kubectl_session,
                                                           tmp_path):
    """The Subresources section's scale subresource with `kubectl scale`, a priority-1 column under
    `-o wide`, server-side apply of a custom object, and CRD plus objects kept by the state file."""
    server = kube_factory(state=tmp_path / "kubeplay.db").server
    kube = Kube(kubectl_session(server, tmp_path / "kubectl", namespace="default", version=kubectl_version),
                "default", kubectl_version)
    kube("apply", "-f", _f("scalable.yaml"))
    kube("apply", "-f", _f("my-crontab-valid.yaml"))
    assert kube("scale", "crontab/my-new-cron-object", "--replicas=3").stdout == \
        "crontab.stable.example.com/my-new-cron-object scaled\n"
    obj = kube.server.get_json(CRONTABS + "/my-new-cron-object")
    assert obj["spec"]["replicas"] == 3 and obj["metadata"]["generation"] == 2
    head, rows = kube.table("get", "ct")
    assert head == ["NAME", "SPEC", "REPLICAS", "AGE"] and rows[0]["REPLICAS"] == "3"
    head, rows = kube.table("get", "ct", "-o", "wide")
    assert head == ["NAME", "SPEC", "REPLICAS", "IMAGE", "AGE"] and rows[0]["IMAGE"] == "my-awesome-cron-image"

    out = kube("apply", "--server-side", "-f", _f("my-crontab.yaml"), "--force-conflicts").stdout
    assert out == "crontab.stable.example.com/my-new-cron-object serverside-applied\n"
    applied = kube.server.get_json(CRONTABS + "/my-new-cron-object")
    assert applied["spec"]["image"] == "my-awesome-cron-image"
    assert "kubectl" in {m["manager"] for m in applied["metadata"]["managedFields"]}

    cp = kube("patch", "ct", "my-new-cron-object", "-p", '{"spec":{"replicas":2}}', check=False)
    assert cp.returncode != 0        # kubectl patch defaults to strategic: refused for custom objects
    assert cp.stderr == ("error: application/strategic-merge-patch+json is not supported by stable.example.com/v1, "
                         "Kind=CronTab: the body of the request was in an unknown format - accepted media types "
                         "include: application/json-patch+json, application/merge-patch+json, "
                         "application/apply-patch+yaml\n")
    kube("patch", "ct", "my-new-cron-object", "--type=merge", "-p", '{"spec":{"replicas":2}}')

    uid = applied["metadata"]["uid"]
    server.stop()
    server.start()
    again = kube.server.get_json(CRONTABS + "/my-new-cron-object")
    assert again["metadata"]["uid"] == uid and again["spec"]["replicas"] == 2
    head, rows = kube.table("get", "crontabs")
    assert [r["NAME"] for r in rows] == ["my-new-cron-object"]
    crd = kube.server.get_json(CRD)
    assert {c["type"] for c in crd["status"]["conditions"]} >= {"Established", "NamesAccepted"}


def test_get_watch_follows_custom_objects(kube_crontab):
    from watchlines import WatchLines
    kube = kube_crontab
    kube("apply", "-f", _f("scalable.yaml"))
    kube("apply", "-f", _f("my-crontab-valid.yaml"))
    watch = WatchLines(kube.server.kubectl_popen("get", "crontabs", "-w", "--output-watch-events", "-v=6",
                                          "--request-timeout=60s"))
    try:
        kube.server.wait_until(watch.watching, 20, message="kubectl get crontabs -w watching")
        kube("scale", "ct/my-new-cron-object", "--replicas=7")
        kube("delete", "ct", "my-new-cron-object")

        def seen():
            rows = [re.split(r"\s{2,}", ln.strip()) for ln in list(watch.lines)
                    if ln.split()[:1] in (["ADDED"], ["MODIFIED"], ["DELETED"])]
            assert ["ADDED", "my-new-cron-object", "* * * * */5", "5"] == rows[0][:4], watch.lines
            assert any(r[:4] == ["MODIFIED", "my-new-cron-object", "* * * * */5", "7"] for r in rows), watch.lines
            assert rows[-1][:2] == ["DELETED", "my-new-cron-object"], watch.lines
            return True
        kube.server.wait_until(seen, 30, message="the watch shows the scale and the delete")
    finally:
        watch.stop()
