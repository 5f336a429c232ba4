"""Issue 4, deletion through the real kubectl: orphan, foreground and background cascades, and a
namespace that is Terminating (refusing new content with the Forbidden text) until its contents
are gone (k8s-semantics.md §1.6, §3.6). The playground clock is paused to hold the in-between
states still long enough to look at them."""
from __future__ import annotations

import urllib.error
import urllib.request


def pause(kube, paused: bool = True):
    assert kube.server.post_json("/kubeplay/v1/clock", {"paused": paused})["paused"] is paused


def create(kube, name, replicas=2, namespace="default"):
    out = kube("create", "deployment", name, "--image=nginx", f"--replicas={replicas}", "-n", namespace)
    assert out.stdout == f"deployment.apps/{name} created\n"
    return kube.wait_running(f"app={name}", replicas, namespace=namespace)


def rss(kube, selector, namespace="default") -> list[dict]:
    return kube.server.get_json(f"/apis/apps/v1/namespaces/{namespace}/replicasets?labelSelector={selector}")["items"]


def get_or_none(kube, path):
    try:
        return kube.server.get_json(path)
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        raise


def test_delete_with_cascade_orphan_leaves_the_replicaset_and_pods_which_a_new_deployment_adopts(kube):
    pods = create(kube, "web", 3)
    (rs,) = rss(kube, "app=web")
    uids = {p["metadata"]["name"]: p["metadata"]["uid"] for p in kube.pods("app=web")}
    out = kube("delete", "deployment", "web", "--cascade=orphan")
    assert out.stdout == 'deployment.apps "web" deleted\n'
    got = kube("get", "deployment", "web", check=False)
    assert got.stderr == 'Error from server (NotFound): deployments.apps "web" not found\n'

    def orphaned():
        (now,) = rss(kube, "app=web")
        assert now["metadata"]["uid"] == rs["metadata"]["uid"] and not now["metadata"].get("ownerReferences"), now["metadata"]
        return now
    kube.server.wait_until(orphaned, 10, message="the ReplicaSet kept, without its owner reference")
    _, rows = kube.table("get", "rs")
    assert [(r["NAME"], r["DESIRED"], r["CURRENT"], r["READY"]) for r in rows] == [(rs["metadata"]["name"], "3", "3", "3")]
    assert kube.wait_running("app=web", 3) == pods
    # Pods still belong to the ReplicaSet.
    for p in kube.pods("app=web"):
        assert p["metadata"]["ownerReferences"][0]["name"] == rs["metadata"]["name"]

    # The same Deployment again adopts the ReplicaSet (same template, same hash): no pod changes.
    create(kube, "web", 3)

    def adopted():
        (now,) = rss(kube, "app=web")
        refs = now["metadata"].get("ownerReferences") or []
        assert [(r["kind"], r["name"], r.get("controller")) for r in refs] == [("Deployment", "web", True)], refs
        return now
    kube.server.wait_until(adopted, 10, message="the new Deployment adopting the ReplicaSet")
    kube.wait_rolled_out("web")
    assert {p["metadata"]["name"]: p["metadata"]["uid"] for p in kube.pods("app=web")} == uids


def test_delete_with_cascade_foreground_waits_for_the_dependents_before_the_owner_goes(kube):
    create(kube, "fg", 2)
    (rs,) = rss(kube, "app=fg")
    pause(kube)
    proc = kube.server.kubectl_popen("delete", "deployment", "fg", "--cascade=foreground", "--request-timeout=60s")
    try:
        def marked():
            d = kube.deployment("fg")
            assert d["metadata"].get("deletionTimestamp") and d["metadata"].get("finalizers") == ["foregroundDeletion"], \
                d["metadata"]
            return d
        kube.server.wait_until(marked, 10, message="deployment fg marked for foreground deletion")
        assert proc.poll() is None, "kubectl delete returned while the deployment still exists"
        assert len(kube.pods("app=fg")) == 2 and len(rss(kube, "app=fg")) == 1
        _, rows = kube.table("get", "deploy", "fg")
        assert rows[0]["NAME"] == "fg"
        pause(kube, False)
        stdout, stderr = proc.communicate(timeout=40)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert proc.returncode == 0, stderr
    assert stdout == 'deployment.apps "fg" deleted\n'
    # Foreground: by the time the owner is gone, so are its ReplicaSet and every pod.
    assert rss(kube, "app=fg") == []
    assert kube.pods("app=fg") == []
    assert get_or_none(kube, f"/apis/apps/v1/namespaces/default/replicasets/{rs['metadata']['name']}") is None


def test_delete_with_the_default_background_cascade_returns_before_the_dependents_go(kube):
    create(kube, "bg", 2)
    pause(kube)
    try:
        out = kube("delete", "deployment", "bg", timeout=30)
        assert out.stdout == 'deployment.apps "bg" deleted\n'
        assert get_or_none(kube, "/apis/apps/v1/namespaces/default/deployments/bg") is None
        # The garbage collector has not run yet (the clock is paused): dependents are still there.
        assert len(rss(kube, "app=bg")) == 1 and len(kube.pods("app=bg")) == 2
    finally:
        pause(kube, False)
    kube.server.wait_until(lambda: rss(kube, "app=bg") == [] and kube.pods("app=bg") == [], 20,
                           message="the garbage collector removing the ReplicaSet and pods")


def test_a_deleted_namespace_is_terminating_refuses_new_content_and_then_is_gone(kube, tmp_path):
    assert kube("create", "namespace", "team-b").stdout == "namespace/team-b created\n"
    create(kube, "web", 2, namespace="team-b")
    late = tmp_path / "late.yaml"
    late.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: late\nspec:\n  containers:\n"
                    "  - name: late\n    image: nginx\n")
    pause(kube)
    proc = kube.server.kubectl_popen("delete", "namespace", "team-b", "--request-timeout=60s")
    try:
        def terminating():
            _, rows = kube.table("get", "namespace", "team-b")
            assert [(r["NAME"], r["STATUS"]) for r in rows] == [("team-b", "Terminating")], rows
            return rows
        kube.server.wait_until(terminating, 10, message="team-b Terminating")
        ns = kube.server.get_json("/api/v1/namespaces/team-b")
        assert ns["status"]["phase"] == "Terminating" and ns["metadata"].get("deletionTimestamp")
        assert ns["spec"]["finalizers"] == ["kubernetes"]
        assert proc.poll() is None, "kubectl delete namespace returned while the namespace still exists"

        forbidden = "is forbidden: unable to create new content in namespace team-b because it is being terminated"
        out = kube("create", "-f", str(late), "-n", "team-b", check=False)
        assert out.returncode == 1
        assert out.stderr == f'Error from server (Forbidden): error when creating "{late}": pods "late" {forbidden}\n', out.stderr
        out = kube("create", "deployment", "late", "--image=nginx", "-n", "team-b", check=False)
        assert out.returncode == 1
        assert out.stderr == f'error: failed to create deployment: deployments.apps "late" {forbidden}\n', out.stderr
        out = kube("create", "configmap", "late", "-n", "team-b", check=False)
        assert out.stderr == f'error: failed to create configmap: configmaps "late" {forbidden}\n', out.stderr
        # What is already there can still be read.
        assert len(kube.pods("app=web", namespace="team-b")) == 2
        pause(kube, False)
        stdout, stderr = proc.communicate(timeout=40)
    finally:
        pause(kube, False)
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert proc.returncode == 0, stderr
    assert stdout == 'namespace "team-b" deleted\n'
    got = kube("get", "namespace", "team-b", check=False)
    assert got.stderr == 'Error from server (NotFound): namespaces "team-b" not found\n'
    assert kube.server.get_json("/api/v1/namespaces/team-b/pods")["items"] == []
    assert kube.server.get_json("/apis/apps/v1/namespaces/team-b/deployments")["items"] == []
