"""kubectl's output modes and filters: -o yaml, -o json, -l, -A, and get -w. Issue 2, point 7."""
from __future__ import annotations

import json
import queue
import re
import threading
import time

import yaml


def apply_login(kube) -> list[str]:
    assert kube("apply", "-f", kube.file("login.yaml")).stdout == "deployment.apps/login-app created\n"
    return kube.wait_running("app=login", 3)


def test_get_deployment_o_yaml_is_the_stored_object(kube_shared):
    kube = kube_shared
    apply_login(kube)
    d = yaml.safe_load(kube("get", "deployment", "login-app", "-o", "yaml").stdout)
    assert (d["apiVersion"], d["kind"]) == ("apps/v1", "Deployment")
    md = d["metadata"]
    assert (md["name"], md["namespace"]) == ("login-app", kube.ns)
    assert md["uid"] and md["resourceVersion"] and md["creationTimestamp"] and md["generation"] == 1
    assert "kubectl.kubernetes.io/last-applied-configuration" in md["annotations"]
    assert md["annotations"]["deployment.kubernetes.io/revision"] == "1"
    # Defaults the apiserver fills in.
    spec = d["spec"]
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
    assert (spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"]) == (10, 600)
    pod_spec = spec["template"]["spec"]
    assert (pod_spec["restartPolicy"], pod_spec["dnsPolicy"], pod_spec["schedulerName"]) == ("Always", "ClusterFirst", "default-scheduler")
    c = pod_spec["containers"][0]
    assert (c["imagePullPolicy"], c["terminationMessagePath"], c["terminationMessagePolicy"]) == \
        ("Always", "/dev/termination-log", "File")
    assert c["ports"] == [{"containerPort": 80, "protocol": "TCP"}]


def test_get_pods_o_yaml_is_a_list(kube_shared):
    kube = kube_shared
    names = apply_login(kube)
    doc = yaml.safe_load(kube("get", "pods", "-o", "yaml").stdout)
    assert (doc["apiVersion"], doc["kind"]) == ("v1", "List")
    assert sorted(p["metadata"]["name"] for p in doc["items"]) == names
    for p in doc["items"]:
        assert (p["apiVersion"], p["kind"]) == ("v1", "Pod")


def test_get_pods_o_json_parses_and_carries_owner_and_status(kube_shared):
    kube = kube_shared
    names = apply_login(kube)
    doc = json.loads(kube("get", "pods", "-o", "json").stdout)
    assert doc["kind"] == "List"
    assert sorted(p["metadata"]["name"] for p in doc["items"]) == names
    rs = json.loads(kube("get", "rs", "-o", "json").stdout)["items"]
    assert len(rs) == 1
    for p in doc["items"]:
        ref = p["metadata"]["ownerReferences"]
        assert ref == [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs[0]["metadata"]["name"],
                        "uid": rs[0]["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
        assert p["metadata"]["labels"] == {"app": "login", "pod-template-hash": rs[0]["metadata"]["labels"]["pod-template-hash"]}
        st = p["status"]
        assert st["phase"] == "Running"
        assert st["podIP"] and st["hostIP"] and st["startTime"]
        assert {c["type"]: c["status"] for c in st["conditions"]}["Ready"] == "True"
        cs = st["containerStatuses"][0]
        assert (cs["name"], cs["ready"], cs["restartCount"], cs["started"]) == ("login", True, 0, True)
        assert "running" in cs["state"] and cs["imageID"] and cs["containerID"]


def test_get_pods_with_a_label_selector_shows_only_matching_pods(kube_shared):
    kube = kube_shared
    login = apply_login(kube)
    kube("create", "deployment", "web", "--image=nginx")
    web = kube.wait_running("app=web", 1)
    _, rows = kube.table("get", "pods", "-l", "app=login")
    assert sorted(r["NAME"] for r in rows) == login
    _, rows = kube.table("get", "pods", "-l", "app=web")
    assert [r["NAME"] for r in rows] == web
    _, rows = kube.table("get", "pods", "-l", "app in (login,web)")
    assert sorted(r["NAME"] for r in rows) == sorted(login + web)
    _, rows = kube.table("get", "pods", "-l", "app!=login")
    assert [r["NAME"] for r in rows] == web
    out = kube("get", "pods", "-l", "app=nothing")
    assert (out.stdout, out.stderr) == ("", f"No resources found in {kube.ns} namespace.\n")


def test_get_pods_all_namespaces_adds_the_namespace_column(kube_shared):
    # The test's namespace and a second of its making, on the module's server (the checks are
    # that both namespaces' rows are there, whatever else is).
    kube = kube_shared
    team = f"{kube.ns}-team-a"
    names = apply_login(kube)
    kube("create", "namespace", team)
    kube("run", "other", "--image=nginx", "-n", team)
    kube.wait_running("run=other", 1, namespace=team)
    header, rows = kube.table("get", "pods", "-A")
    assert header == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    got = {(r["NAMESPACE"], r["NAME"]) for r in rows}
    assert {(kube.ns, n) for n in names} | {(team, "other")} <= got
    header, rows = kube.table("get", "deploy", "--all-namespaces")
    assert header == ["NAMESPACE", "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert (kube.ns, "login-app") in {(r["NAMESPACE"], r["NAME"]) for r in rows}
    kube.server.delete(f"/api/v1/namespaces/{team}")          # tidy: the server is the module's


def test_show_labels_and_multi_type_get_use_the_row_objects(kube_shared):
    kube = kube_shared
    apply_login(kube)
    header, rows = kube.table("get", "pods", "--show-labels")
    assert header[-1] == "LABELS"
    assert all(r["LABELS"].startswith("app=login,pod-template-hash=") for r in rows), rows
    out = kube("get", "deploy,rs").stdout
    assert "deployment.apps/login-app" in out
    assert "replicaset.apps/login-app-" in out


def _reader(stream, q: queue.Queue):
    for line in stream:
        q.put(line.rstrip("\n"))
    q.put(None)


def test_get_pods_watch_prints_rows_as_pods_change(kube_shared):
    kube = kube_shared
    out = kube("create", "deployment", "web", "--image=nginx")
    assert out.stdout == "deployment.apps/web created\n"
    first = kube.wait_running("app=web", 1)
    proc = kube.server.kubectl_popen("get", "pods", "-w", "--request-timeout=5s")
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        # The initial listing: header and the one pod.
        deadline = time.monotonic() + 5
        while len(seen) < 2 and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            seen.append(line)
        assert len(seen) == 2, f"get -w did not list the existing pod: {seen}; stderr: {proc.stderr.read() if proc.poll() is not None else ''}"
        assert kube("scale", "deployment", "web", "--replicas=3").stdout == "deployment.apps/web scaled\n"
        rc = proc.wait(15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    while True:
        line = lines.get(timeout=5)
        if line is None:
            break
        seen.append(line)
    stderr = proc.stderr.read()
    assert rc == 0, (rc, stderr)
    # Each watch row is aligned on its own (column widths differ per line): split on 2+ spaces.
    header = seen[0].split()
    rows = [dict(zip(header, re.split(r"\s{2,}", line.strip()))) for line in seen[1:]]
    assert header == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert sum(1 for s in seen if s.startswith("NAME ")) == 1, "one header, then one row per change"
    assert rows[0]["NAME"] == first[0] and rows[0]["STATUS"] == "Running"
    new = sorted({r["NAME"] for r in rows[1:]} - set(first))
    final = kube.wait_running("app=web", 3)
    assert new == sorted(set(final) - set(first)), (seen, final)
    for name in new:
        statuses = [r["STATUS"] for r in rows if r["NAME"] == name]
        assert statuses[0] == "Pending", (name, statuses)
        assert "Running" in statuses, f"{name} went {statuses} within the 5s watch"
        assert set(statuses) <= {"Pending", "ContainerCreating", "Running"}, statuses
