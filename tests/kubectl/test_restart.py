"""Durability: stop the server (SIGTERM, and kill -9) and start it again on the same state file;
every acknowledged write is back and the cluster converges again. Issue 2, point 6."""
from __future__ import annotations

import signal


def snapshot(kube) -> dict:
    d = kube.deployment("login-app")
    rs = kube.server.get_json("/apis/apps/v1/namespaces/default/replicasets")["items"]
    pods = [p for p in kube.pods("app=login") if kube.is_live(p)]
    return {"deployment": d["metadata"]["uid"], "replicas": d["spec"]["replicas"],
            "rs": sorted(r["metadata"]["uid"] for r in rs),
            "pods": sorted((p["metadata"]["name"], p["metadata"]["uid"]) for p in pods)}


def list_rv(kube) -> int:
    return int(kube.server.get_json("/api/v1/namespaces")["metadata"]["resourceVersion"])


def test_sigterm_then_restart_on_the_same_state_file_keeps_everything(kube_factory, tmp_path):
    kube = kube_factory(state=tmp_path / "kubeplay.db")
    assert kube("apply", "-f", kube.file("login.yaml")).stdout == "deployment.apps/login-app created\n"
    names = kube.wait_running("app=login", 3)
    kube.wait_rolled_out("login-app")
    before, rv_before = snapshot(kube), list_rv(kube)

    assert kube.server.stop(signal.SIGTERM) == 0
    assert "kubeplay stopped" in kube.server.log()
    kube.server.start()

    # Everything that was acknowledged is there, as it was: same objects, same uids.
    assert snapshot(kube) == before
    assert kube.wait_running("app=login", 3) == names
    kube.wait_rolled_out("login-app")
    _, rows = kube.table("get", "deploy")
    assert [(r["NAME"], r["READY"]) for r in rows] == [("login-app", "3/3")]
    _, rows = kube.table("get", "pods")
    assert sorted(r["NAME"] for r in rows) == names and {r["STATUS"] for r in rows} == {"Running"}
    assert kube("apply", "-f", kube.file("login.yaml")).stdout == "deployment.apps/login-app unchanged\n"

    # resourceVersion is one counter across restarts: new writes are newer than anything before.
    kube("create", "configmap", "after-restart", "--from-literal=a=b")
    cm = kube.server.get_json("/api/v1/namespaces/default/configmaps/after-restart")
    assert int(cm["metadata"]["resourceVersion"]) > rv_before

    # And the cluster still reconciles after the restart.
    kube("delete", "pod", names[0])
    after = kube.wait_running("app=login", 3)
    assert names[0] not in after


def test_kill_9_right_after_apply_keeps_the_acknowledged_deployment(kube_factory, tmp_path):
    kube = kube_factory(state=tmp_path / "kubeplay.db")
    out = kube("apply", "-f", kube.file("login.yaml"))
    assert out.stdout == "deployment.apps/login-app created\n"
    kube.server.kill()
    kube.server.start()

    d = kube.deployment("login-app")
    assert d["spec"]["replicas"] == 3
    assert "kubectl.kubernetes.io/last-applied-configuration" in d["metadata"]["annotations"]
    names = kube.wait_running("app=login", 3)
    assert all(kube.pod_name_re("login-app").match(n) for n in names)
    kube.wait_rolled_out("login-app")
    assert kube("apply", "-f", kube.file("login.yaml")).stdout == "deployment.apps/login-app unchanged\n"


def test_kill_9_keeps_an_acknowledged_scale_and_delete(kube_factory, tmp_path):
    kube = kube_factory(state=tmp_path / "kubeplay.db")
    kube("apply", "-f", kube.file("login.yaml"))
    kube("create", "deployment", "web", "--image=nginx")
    kube.wait_running("app=login", 3)
    kube.wait_running("app=web", 1)
    assert kube("scale", "deployment", "login-app", "--replicas=5").stdout == "deployment.apps/login-app scaled\n"
    assert kube("delete", "deployment", "web", "--wait=false").stdout == 'deployment.apps "web" deleted\n'
    kube.server.kill()
    kube.server.start()

    assert kube.deployment("login-app")["spec"]["replicas"] == 5
    missing = kube("get", "deployment", "web", check=False)
    assert missing.stderr == 'Error from server (NotFound): deployments.apps "web" not found\n'
    kube.wait_running("app=login", 5)

    def web_pods_gone():
        assert not kube.pods("app=web"), [p["metadata"]["name"] for p in kube.pods("app=web")]
        return True
    kube.server.wait_until(web_pods_gone, 30, message="garbage collection of web's pods after restart")


def test_kill_9_then_sigterm_restarts_keep_converging(kube_factory, tmp_path):
    kube = kube_factory(state=tmp_path / "kubeplay.db")
    kube("apply", "-f", kube.file("login.yaml"))
    kube.wait_running("app=login", 3)
    kube.server.kill()
    kube.server.start()
    kube.wait_running("app=login", 3)
    assert kube("apply", "-f", kube.file("login-5.yaml")).stdout == "deployment.apps/login-app configured\n"
    assert kube.server.stop(signal.SIGTERM) == 0
    kube.server.start()
    kube.wait_running("app=login", 5)
    kube.wait_rolled_out("login-app")


def test_sigterm_with_open_watches_still_stops_promptly(kube_factory, tmp_path):
    import time
    kube = kube_factory(state=tmp_path / "kubeplay.db")
    kube("create", "deployment", "web", "--image=nginx")
    kube.wait_running("app=web", 1)
    watches = [kube.server.kubectl_popen("get", "pods", "-w", "--request-timeout=60s"),
               kube.server.kubectl_popen("get", "deploy", "-w", "--request-timeout=60s")]
    try:
        kube.server.wait_until(lambda: all(w.stdout.readline() for w in watches), 10, message="watches listing")
        started = time.monotonic()
        assert kube.server.stop(signal.SIGTERM, timeout=10) == 0
        assert time.monotonic() - started < 5, "shutdown waited for the open watches"
        for w in watches:
            w.wait(15)
    finally:
        for w in watches:
            if w.poll() is None:
                w.kill()
                w.wait(5)
    kube.server.start()
    kube.wait_running("app=web", 1)


def test_kill_9_in_the_middle_of_a_rollout_then_it_completes(kube_factory, tmp_path):
    kube = kube_factory(state=tmp_path / "kubeplay.db")
    kube("apply", "-f", kube.file("login.yaml"))
    kube.wait_running("app=login", 3)
    kube.wait_rolled_out("login-app")
    kube("set", "image", "deployment/login-app", "login=nginx:1.25")
    kube.server.kill()
    kube.server.start()
    out = kube("rollout", "status", "deployment/login-app", "--timeout=40s", timeout=50)
    assert out.stdout.splitlines()[-1] == 'deployment "login-app" successfully rolled out'
    kube.wait_running("app=login", 3)
    images = {p["spec"]["containers"][0]["image"] for p in kube.pods("app=login") if kube.is_live(p)}
    assert images == {"nginx:1.25"}
    rs = kube.server.get_json("/apis/apps/v1/namespaces/default/replicasets")["items"]
    assert sorted(r["spec"]["replicas"] for r in rs) == [0, 3]
