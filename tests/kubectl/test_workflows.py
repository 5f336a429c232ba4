"""More of what a learner does with kubectl after the seed's loop: scheduling failures, a node
dying, patch/replace/edit, waits and restarts, namespaces, and the other output forms."""
from __future__ import annotations

import json
import re
from pathlib import Path

MULTI = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
      - name: shop
        image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector: {app: shop}
  ports:
  - port: 80
    targetPort: 80
"""


def create_web(kube, replicas=1):
    assert kube("create", "deployment", "web", "--image=nginx", f"--replicas={replicas}").stdout == \
        "deployment.apps/web created\n"
    return kube.wait_running("app=web", replicas)


def test_a_pod_too_big_for_any_node_stays_pending_with_the_schedulers_message(kube_shared):
    kube = kube_shared
    overrides = json.dumps({"spec": {"containers": [{"name": "big", "image": "nginx",
                                                     "resources": {"requests": {"cpu": "100"}}}]}})
    assert kube("run", "big", "--image=nginx", f"--overrides={overrides}").stdout == "pod/big created\n"
    # As on kind: the control-plane node counts, and its taint keeps the pod off it.
    msg = ("0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
           "3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, "
           "3 No preemption victims found for incoming pod.")

    def unschedulable():
        pod = kube.pod("big")
        cond = {c["type"]: c for c in pod["status"].get("conditions") or []}.get("PodScheduled")
        assert cond and cond["status"] == "False", pod["status"]
        return cond
    cond = kube.server.wait_until(unschedulable, 20, message="PodScheduled=False")
    assert (cond["reason"], cond["message"]) == ("Unschedulable", msg)
    _, rows = kube.table("get", "pod", "big")
    assert (rows[0]["READY"], rows[0]["STATUS"]) == ("0/1", "Pending")
    text = kube("describe", "pod", "big").stdout
    assert re.search(r"^Node:\s+<none>$", text, re.M), text
    assert re.search(rf"Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+{re.escape(msg)}$", text, re.M), text


def test_a_node_selector_nobody_matches_keeps_the_pod_pending(kube):
    overrides = json.dumps({"spec": {"nodeSelector": {"disktype": "ssd"}}})
    kube("run", "picky", "--image=nginx", f"--overrides={overrides}")
    msg = ("0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
           "3 node(s) didn't match Pod's node affinity/selector. preemption: "
           "0/4 nodes are available: 4 Preemption is not helpful for scheduling.")

    def pending():
        ev = kube.server.get_json("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dpicky")["items"]
        return [e for e in ev if e["reason"] == "FailedScheduling"]
    events = kube.server.wait_until(pending, 20, message="a FailedScheduling event")
    assert events[0]["type"] == "Warning" and events[0]["message"] == msg
    # Label a node: the scheduler retries on the change and the pod runs there.
    node = "node-1"                       # a worker (the control-plane node is tainted)
    assert kube("label", "node", node, "disktype=ssd").stdout == f"node/{node} labeled\n"
    kube.wait_running("run=picky", 1)
    assert kube.server.get_json("/api/v1/namespaces/default/pods/picky")["spec"]["nodeName"] == node


def test_a_failed_node_goes_not_ready_and_its_pods_are_replaced_elsewhere(kube):
    names = create_web(kube, replicas=3)
    pods = {p["metadata"]["name"]: p["spec"]["nodeName"] for p in kube.pods("app=web")}
    victim = pods[names[0]]
    lost = {n for n, node in pods.items() if node == victim}
    kube.server.post_json(f"/kubeplay/v1/nodes/{victim}/fail")

    def not_ready():
        rows = {r["NAME"]: r["STATUS"] for r in kube.table("get", "nodes")[1]}
        assert rows[victim] == "NotReady", rows
        return rows
    rows = kube.server.wait_until(not_ready, 30, message=f"{victim} NotReady")
    assert sum(1 for s in rows.values() if s == "Ready") == 3       # the control plane and two workers

    def replaced():
        live = [p for p in kube.pods("app=web") if kube.is_running_ready(p)]
        assert len(live) == 3 and all(p["spec"]["nodeName"] != victim for p in live), \
            [(p["metadata"]["name"], p["spec"].get("nodeName"), p["status"].get("phase")) for p in kube.pods("app=web")]
        return live
    kube.server.wait_until(replaced, 40, message="replacements on healthy nodes")
    taints = kube.server.get_json(f"/api/v1/nodes/{victim}")["spec"].get("taints") or []
    assert {t["key"] for t in taints} >= {"node.kubernetes.io/unreachable"}
    events = kube("get", "events", "--field-selector", f"involvedObject.name={victim}").stdout
    assert f"Node {victim} status is now: NodeNotReady" in events, events
    assert lost  # the pods that were there are no longer counted as live

    kube.server.post_json(f"/kubeplay/v1/nodes/{victim}/recover")
    kube.server.wait_until(lambda: {r["NAME"]: r["STATUS"] for r in kube.table("get", "nodes")[1]}[victim] == "Ready",
                           30, message=f"{victim} Ready again")
    kube.wait_running("app=web", 3)


def test_apply_of_a_multi_document_file_creates_each_object(kube_shared, tmp_path):
    kube = kube_shared
    f = tmp_path / "shop.yaml"
    f.write_text(MULTI)
    assert kube("apply", "-f", str(f)).stdout == "deployment.apps/shop created\nservice/shop created\n"
    kube.wait_running("app=shop", 2)
    assert kube("apply", "-f", str(f)).stdout == "deployment.apps/shop unchanged\nservice/shop unchanged\n"
    out = kube("delete", "-f", str(f)).stdout
    assert out == 'deployment.apps "shop" deleted\nservice "shop" deleted\n'


def test_get_all_lists_the_workload_kinds(kube_shared):
    kube = kube_shared
    create_web(kube)
    kube("expose", "deployment", "web", "--port=80")
    out = kube("get", "all").stdout
    for prefix in ("pod/web-", "service/web", "deployment.apps/web", "replicaset.apps/web-"):
        assert re.search(rf"^{re.escape(prefix)}", out, re.M), out
    # The apiserver's Service is in `default` (the test's namespace is its own).
    out = kube("get", "all", "-n", "default").stdout
    assert re.search(r"^service/kubernetes", out, re.M), out


def test_kubectl_events_prints_the_event_table(kube_shared):
    kube = kube_shared
    create_web(kube)
    header, rows = kube.table("events")
    assert header == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert any(r["REASON"] == "ScalingReplicaSet" and r["OBJECT"] == "Deployment/web" for r in rows), rows


def test_force_delete_removes_the_pod_at_once(kube_shared):
    kube = kube_shared
    kube("run", "quick", "--image=nginx")
    kube.wait_running("run=quick", 1)
    out = kube("delete", "pod", "quick", "--grace-period=0", "--force")
    assert out.stdout == 'pod "quick" force deleted\n'
    assert out.stderr.startswith("Warning: Immediate deletion does not wait for confirmation")
    got = kube("get", "pod", "quick", check=False)
    assert got.stderr == 'Error from server (NotFound): pods "quick" not found\n'


def test_patch_with_each_patch_type(kube_shared):
    kube = kube_shared
    create_web(kube)
    assert kube("patch", "deployment", "web", "--type=merge", "-p", '{"spec":{"replicas":2}}').stdout == \
        "deployment.apps/web patched\n"
    kube.wait_running("app=web", 2)
    out = kube("patch", "deployment", "web", "-p",
               '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","env":[{"name":"COLOR","value":"blue"}]}]}}}}')
    assert out.stdout == "deployment.apps/web patched\n"
    c = kube.deployment("web")["spec"]["template"]["spec"]["containers"]
    assert [(x["name"], x["image"], x.get("env")) for x in c] == [("nginx", "nginx", [{"name": "COLOR", "value": "blue"}])]
    out = kube("patch", "deployment", "web", "--type=json",
               "-p", '[{"op":"replace","path":"/spec/replicas","value":1}]')
    assert out.stdout == "deployment.apps/web patched\n"
    kube.wait_rolled_out("web")
    kube.wait_running("app=web", 1)
    # kubectl says "(no change)" when the object it is answered equals the one it read. Above 1x
    # the served timestamps move back by the clock's lead at each answer (webapp/api/clientframe.py),
    # so at the module server's 20x two reads may differ by a second: compare at 1x.
    kube.server.post_json("/kubeplay/v1/clock", {"speed": 1})
    try:
        assert kube("patch", "deployment", "web", "--type=merge", "-p", '{"spec":{"replicas":1}}').stdout == \
            "deployment.apps/web patched (no change)\n"
    finally:
        kube.server.post_json("/kubeplay/v1/clock", {"speed": 20})


def test_replace_and_edit(kube_shared, tmp_path):
    kube = kube_shared
    assert kube("create", "-f", kube.file("login.yaml")).stdout == "deployment.apps/login-app created\n"
    kube.wait_running("app=login", 3)
    live = json.loads(kube("get", "deploy", "login-app", "-o", "json").stdout)
    live["spec"]["replicas"] = 2
    f = tmp_path / "replace.json"
    f.write_text(json.dumps(live))
    assert kube("replace", "-f", str(f)).stdout == "deployment.apps/login-app replaced\n"
    kube.wait_running("app=login", 2)
    # A stale resourceVersion in the file is a Conflict.
    out = kube("replace", "-f", str(f), check=False)
    assert out.returncode == 1
    assert 'Operation cannot be fulfilled on deployments.apps "login-app": the object has been modified' in out.stderr
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/replicas: 2/replicas: 4/' \"$1\"\n")
    editor.chmod(0o755)
    out = kube("edit", "deployment", "login-app", env={"KUBE_EDITOR": str(editor)})
    assert out.stdout == "deployment.apps/login-app edited\n"
    kube.wait_running("app=login", 4)


def test_wait_for_available_and_rollout_restart(kube_shared):
    kube = kube_shared
    kube("create", "deployment", "web", "--image=nginx", "--replicas=2")
    out = kube("wait", "--for=condition=Available", "deployment/web", "--timeout=30s", timeout=40)
    assert out.stdout == "deployment.apps/web condition met\n"
    before = kube.wait_running("app=web", 2)
    assert kube("rollout", "restart", "deployment/web").stdout == "deployment.apps/web restarted\n"
    out = kube("rollout", "status", "deployment/web", "--timeout=40s", timeout=50)
    assert out.stdout.splitlines()[-1] == 'deployment "web" successfully rolled out'
    after = kube.wait_running("app=web", 2)
    assert not set(before) & set(after)


def test_rollout_pause_and_resume(kube_shared):
    kube = kube_shared
    create_web(kube, replicas=2)
    assert kube("rollout", "pause", "deployment/web").stdout == "deployment.apps/web paused\n"
    kube("set", "image", "deployment/web", "nginx=nginx:1.25")
    d = kube.deployment("web")
    assert d["spec"]["paused"] is True
    # Paused: no new ReplicaSet for the new template.
    assert len(kube.server.get_json(f"/apis/apps/v1/namespaces/{kube.ns}/replicasets")["items"]) == 1
    assert kube("rollout", "resume", "deployment/web").stdout == "deployment.apps/web resumed\n"
    kube.wait_rolled_out("web")
    images = {p["spec"]["containers"][0]["image"] for p in kube.pods("app=web") if kube.is_live(p)}
    assert images == {"nginx:1.25"}


def test_deleting_a_namespace_removes_what_is_in_it(kube_shared):
    # A namespace of its own making (named after the test's), on the module's server.
    kube = kube_shared
    team = f"{kube.ns}-team-a"
    kube("create", "namespace", team)
    kube("create", "deployment", "web", "--image=nginx", "-n", team)
    kube.wait_running("app=web", 1, namespace=team)
    out = kube("delete", "namespace", team, timeout=60)
    assert out.stdout == f'namespace "{team}" deleted\n'
    got = kube("get", "namespace", team, check=False)
    assert got.stderr == f'Error from server (NotFound): namespaces "{team}" not found\n'
    assert kube.server.get_json(f"/api/v1/namespaces/{team}/pods")["items"] == []
    out = kube("create", "deployment", "late", "--image=nginx", "-n", team, check=False)
    assert out.returncode == 1 and f'namespaces "{team}" not found' in out.stderr, out.stderr


def test_other_output_forms(kube_shared):
    kube = kube_shared
    names = create_web(kube, replicas=2)
    assert kube("get", "pods", "-o", "name").stdout == "".join(f"pod/{n}\n" for n in names)
    out = kube("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}/{.status.readyReplicas}").stdout
    assert out == "2/2"
    header, rows = kube.table("get", "pods", "--sort-by=.metadata.name")
    assert [r["NAME"] for r in rows] == names
    header, rows = kube.table("get", "deploy", "-o", "wide")
    assert header == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]
    assert (rows[0]["CONTAINERS"], rows[0]["IMAGES"], rows[0]["SELECTOR"]) == ("nginx", "nginx", "app=web")
    header, rows = kube.table("get", "pods", "-L", "app")
    assert header[-1] == "APP" and {r["APP"] for r in rows} == {"web"}
    out = kube("logs", "deploy/web")
    assert out.returncode == 0


def test_changing_a_deployments_selector_is_refused_as_immutable(kube_shared, tmp_path):
    kube = kube_shared
    kube("apply", "-f", kube.file("login.yaml"))
    changed = tmp_path / "login-selector.yaml"
    changed.write_text(Path(kube.file("login.yaml")).read_text().replace("app: login", "app: login2"))
    out = kube("apply", "-f", str(changed), check=False)
    assert out.returncode == 1
    assert out.stderr == ('The Deployment "login-app" is invalid: spec.selector: Invalid value: '
                          '{"matchLabels":{"app":"login2"}}: field is immutable\n'), out.stderr


def test_diff_shows_the_change_apply_would_make_and_dry_run_keeps_nothing(kube_shared):
    kube = kube_shared
    kube("apply", "-f", kube.file("login.yaml"))
    kube.wait_running("app=login", 3)
    out = kube("diff", "-f", kube.file("login-5.yaml"), check=False)
    assert out.returncode == 1, out.stderr          # 1 = differences found
    assert re.search(r"^-  replicas: 3$", out.stdout, re.M) and re.search(r"^\+  replicas: 5$", out.stdout, re.M), out.stdout
    assert kube("diff", "-f", kube.file("login.yaml"), check=False).returncode == 0
    out = kube("apply", "-f", kube.file("login-5.yaml"), "--dry-run=server")
    assert out.stdout == "deployment.apps/login-app configured (server dry run)\n"
    assert kube.deployment("login-app")["spec"]["replicas"] == 3


def test_create_deployment_beyond_the_quota_is_forbidden(kube_shared):
    kube = kube_shared
    out = kube("create", "deployment", "huge", "--image=nginx", "--replicas=20000", check=False)
    assert out.returncode == 1
    assert out.stderr.startswith('error: failed to create deployment: deployments.apps "huge" is forbidden: '), out.stderr
    assert kube("get", "deploy", "huge", check=False).returncode == 1


def test_watch_only_with_event_types(kube_shared):
    kube = kube_shared
    create_web(kube)
    proc = kube.server.kubectl_popen("get", "pods", "--watch-only", "--output-watch-events", "--request-timeout=4s", "-v=6")
    # -v=6 logs the watch request once its response has begun: only then change something.
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "watch=true" in line:
            break
    assert any("watch=true" in ln for ln in seen), seen
    kube("delete", "pod", kube.pods("app=web")[0]["metadata"]["name"], "--wait=false")
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, "".join(seen) + err
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert lines[0].split() == ["EVENT", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    kinds = {ln.split()[0] for ln in lines[1:]}
    assert {"MODIFIED", "ADDED"} <= kinds, lines
