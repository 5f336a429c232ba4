"""The seed's loop, driven by the real kubectl: apply a Deployment, watch it converge, break it,
watch it heal, change it. Issue 2, "What it must show" 1–3. The namespaced steps run with both
kubectl versions on the module's shared server (kube_ns), `get nodes` (read only) there too; the
node watches (one needs a quiet cluster) on servers of their own."""
from __future__ import annotations

import re



def apply_login_and_wait(kube) -> list[str]:
    out = kube("apply", "-f", kube.file("login.yaml"))
    assert out.stdout == "deployment.apps/login-app created\n", out.stdout + out.stderr
    return kube.wait_running("app=login", 3)


def test_apply_prints_created_and_three_pods_reach_running(kube_ns):
    kube = kube_ns
    out = kube("apply", "-f", kube.file("login.yaml"))
    assert out.stdout == "deployment.apps/login-app created\n"
    assert out.stderr == ""
    names = kube.wait_running("app=login", 3)
    for name in names:
        assert kube.pod_name_re("login-app").match(name), name
    # All three from one ReplicaSet: same pod-template-hash segment.
    assert len({n.rsplit("-", 1)[0] for n in names}) == 1


def test_get_pods_prints_the_real_columns_and_rows(kube_ns):
    kube = kube_ns
    names = apply_login_and_wait(kube)
    header, rows = kube.table("get", "pods")
    assert header == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert sorted(r["NAME"] for r in rows) == names
    for r in rows:
        assert (r["READY"], r["STATUS"], r["RESTARTS"]) == ("1/1", "Running", "0"), r
        assert re.fullmatch(kube.AGE, r["AGE"]) and r["AGE"] not in ("<unknown>", "<invalid>"), r


def test_get_pods_wide_adds_ip_and_node_columns(kube_ns):
    kube = kube_ns
    apply_login_and_wait(kube)
    header, rows = kube.table("get", "pods", "-o", "wide")
    assert header == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE",
                      "READINESS GATES"]
    nodes = {r["NAME"] for r in kube.table("get", "nodes")[1]}
    for r in rows:
        assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", r["IP"]), r
        assert r["NODE"] in nodes, r
        assert (r["NOMINATED NODE"], r["READINESS GATES"]) == ("<none>", "<none>"), r


def test_get_deploy_prints_the_real_columns_and_rows(kube_ns):
    kube = kube_ns
    apply_login_and_wait(kube)
    kube.wait_rolled_out("login-app")
    header, rows = kube.table("get", "deploy")
    assert header == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert [(r["NAME"], r["READY"], r["UP-TO-DATE"], r["AVAILABLE"]) for r in rows] == \
        [("login-app", "3/3", "3", "3")]


def test_get_rs_prints_the_real_columns_and_rows(kube_ns):
    kube = kube_ns
    apply_login_and_wait(kube)
    kube.wait_rolled_out("login-app")
    header, rows = kube.table("get", "rs")
    assert header == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert len(rows) == 1
    r = rows[0]
    assert re.fullmatch(rf"login-app-{kube.HASH}", r["NAME"]), r
    assert (r["DESIRED"], r["CURRENT"], r["READY"]) == ("3", "3", "3"), r
    # The pods carry their ReplicaSet's name as prefix.
    for pod in kube.table("get", "pods")[1]:
        assert re.fullmatch(rf"{re.escape(r['NAME'])}-{kube.SUFFIX}", pod["NAME"]), pod


def test_get_nodes_prints_the_real_columns_and_rows(kube_shared):
    # Reads the nodes only; no test on the module's server changes them.
    kube = kube_shared
    header, rows = kube.table("get", "nodes")
    assert header == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    # kind's layout: the control-plane node (ROLES control-plane) and three workers.
    assert [(r["NAME"], r["ROLES"]) for r in rows] == [
        ("kubeplay-control-plane", "control-plane"), ("node-1", "<none>"), ("node-2", "<none>"), ("node-3", "<none>")]
    for r in rows:
        assert r["STATUS"] == "Ready", r
        assert r["ROLES"] == "<none>" or re.fullmatch(r"[a-z0-9.,-]+", r["ROLES"]), r
        assert r["VERSION"].startswith("v1.32"), r


def test_idle_nodes_stay_ready(kube):
    """A healthy node's kubelet heartbeats in time: over a minute of simulated time (3 s at
    --speed 20) no node leaves Ready and no NodeNotReady event is recorded."""
    import json
    import urllib.request
    nodes = kube.server.get_json("/api/v1/nodes")
    url = f"{kube.server.url}/api/v1/nodes?watch=1&timeoutSeconds=3&resourceVersion={nodes['metadata']['resourceVersion']}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=15) as r:
        events = [json.loads(line) for line in r if line.strip()]
    ready = [(e["type"], e["object"]["metadata"]["name"],
              {c["type"]: c["status"] for c in e["object"]["status"]["conditions"]}.get("Ready")) for e in events]
    assert all(r[2] == "True" for r in ready), ready
    got = kube("get", "events", "-A", "--field-selector", "reason=NodeNotReady")
    assert got.stdout == "", got.stdout
    _, rows = kube.table("get", "nodes")
    assert {r["STATUS"] for r in rows} == {"Ready"}


def test_get_nodes_watch_on_a_quiet_cluster_ends_at_the_request_timeout(kube):
    """Nothing changes, so the watch has no event to send: kubectl must still get the response
    headers at once and end cleanly when --request-timeout is up (not retry the request)."""
    import time
    started = time.monotonic()
    proc = kube.server.kubectl_popen("get", "nodes", "-w", "--request-timeout=3s", "-v=6")
    try:
        out, err = proc.communicate(timeout=20)
    except Exception:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"kubectl get nodes -w did not end:\n{out}\n{err}")
    assert proc.returncode == 0, err
    assert time.monotonic() - started < 8, err
    assert "Retry-After" not in err, err
    header, rows = kube.parse_table(out)
    assert header == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert len(rows) == 4                 # the control-plane node and three workers


def test_get_events_prints_the_real_columns_and_the_rollout_story(kube_ns):
    kube = kube_ns
    names = apply_login_and_wait(kube)
    rs = names[0].rsplit("-", 1)[0]

    def events():
        header, rows = kube.table("get", "events")
        assert header == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
        seen = {(r["TYPE"], r["REASON"], r["OBJECT"], r["MESSAGE"]) for r in rows}
        want = {("Normal", "ScalingReplicaSet", "deployment/login-app", f"Scaled up replica set {rs} to 3")}
        for n in names:
            want.add(("Normal", "SuccessfulCreate", f"replicaset/{rs}", f"Created pod: {n}"))
            want.add(("Normal", "Started", f"pod/{n}", "Started container login"))
        missing = want - seen
        assert not missing, f"missing events {sorted(missing)}; have {sorted(seen)}"
        scheduled = [r for r in rows if r["REASON"] == "Scheduled"]
        assert {r["OBJECT"] for r in scheduled} >= {f"pod/{n}" for n in names}
        for r in scheduled:
            assert re.fullmatch(rf"Successfully assigned {kube.ns}/\S+ to \S+", r["MESSAGE"]), r
        return True
    kube.server.wait_until(events, 20, message="the rollout's events")


def test_deleting_a_pod_brings_a_replacement_with_a_new_name(kube_ns):
    kube = kube_ns
    names = apply_login_and_wait(kube)
    victim = names[1]
    out = kube("delete", "pod", victim)
    assert out.stdout == kube.deleted(f'pod "{victim}"')
    after = kube.wait_running("app=login", 3)
    assert victim not in after
    assert len(set(after) - set(names)) == 1, (names, after)
    new = (set(after) - set(names)).pop()
    assert kube.pod_name_re("login-app").match(new)
    _, rows = kube.table("get", "pods")
    assert sorted(r["NAME"] for r in rows) == after
    assert all(r["STATUS"] == "Running" for r in rows), rows


def test_applying_the_same_file_again_prints_unchanged(kube_ns):
    kube = kube_ns
    apply_login_and_wait(kube)
    out = kube("apply", "-f", kube.file("login.yaml"))
    assert out.stdout == "deployment.apps/login-app unchanged\n"
    assert out.stderr == ""


def test_applying_five_replicas_prints_configured_and_five_pods_run(kube_ns):
    kube = kube_ns
    first = apply_login_and_wait(kube)
    out = kube("apply", "-f", kube.file("login-5.yaml"))
    assert out.stdout == "deployment.apps/login-app configured\n"
    names = kube.wait_running("app=login", 5)
    assert set(first) <= set(names), "scaling up must keep the existing pods"
    kube.wait_rolled_out("login-app")
    _, rows = kube.table("get", "deploy", "login-app")
    assert (rows[0]["READY"], rows[0]["UP-TO-DATE"], rows[0]["AVAILABLE"]) == ("5/5", "5", "5")
    # The file now says 5: applying it again changes nothing.
    assert kube("apply", "-f", kube.file("login-5.yaml")).stdout == "deployment.apps/login-app unchanged\n"
    # And back to 3: configured, two pods go.
    assert kube("apply", "-f", kube.file("login.yaml")).stdout == "deployment.apps/login-app configured\n"
    kube.wait_running("app=login", 3)


def test_delete_f_removes_the_deployment_and_its_replicasets_and_pods(kube_ns):
    kube = kube_ns
    apply_login_and_wait(kube)
    out = kube("delete", "-f", kube.file("login.yaml"))
    assert out.stdout == kube.deleted('deployment.apps "login-app"')

    def gone():
        rs = kube.server.get_json(f"/apis/apps/v1/namespaces/{kube.ns}/replicasets")["items"]
        pods = kube.pods("app=login")
        assert not rs and not pods, ([o["metadata"]["name"] for o in rs], [p["metadata"]["name"] for p in pods])
        return True
    kube.server.wait_until(gone, 30, message="garbage collection of the ReplicaSet and pods")
    for kind in ("deploy", "rs", "pods"):
        out = kube("get", kind)
        assert out.stdout == ""
        assert out.stderr == f"No resources found in {kube.ns} namespace.\n"
