"""The imperative kubectl commands a learner types, each against a fresh server: what they print
and that the cluster converges afterwards. Issue 2, "What it must show" 4 and the rest of the
commands named in kubectl-wire.md §5."""
from __future__ import annotations

import json
import re


def create_web(kube, replicas: int | None = None) -> list[str]:
    args = ["create", "deployment", "web", "--image=nginx"]
    if replicas is not None:
        args.append(f"--replicas={replicas}")
    out = kube(*args)
    assert out.stdout == "deployment.apps/web created\n", out.stdout + out.stderr
    return kube.wait_running("app=web", 1 if replicas is None else replicas)


def test_kubectl_run_creates_a_pod_that_reaches_running(kube_shared):
    kube = kube_shared
    out = kube("run", "login-app", "--image=nginx")
    assert out.stdout == "pod/login-app created\n"
    assert kube.wait_running("run=login-app", 1) == ["login-app"]
    header, rows = kube.table("get", "pod", "login-app")
    assert header == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert [(r["NAME"], r["READY"], r["STATUS"], r["RESTARTS"]) for r in rows] == [("login-app", "1/1", "Running", "0")]


def test_kubectl_create_deployment_sends_protobuf_and_is_created(kube_shared):
    kube = kube_shared
    out = kube("create", "deployment", "web", "--image=nginx", "-v=8")
    assert out.stdout == "deployment.apps/web created\n"
    assert re.search(rf"POST http://127\.0\.0\.1:\d+/apis/apps/v1/namespaces/{kube.ns}/deployments\?", out.stderr), out.stderr
    assert "Content-Type: application/vnd.kubernetes.protobuf" in out.stderr, out.stderr
    assert re.search(r"Response Status: 201 ", out.stderr), out.stderr
    names = kube.wait_running("app=web", 1)
    assert kube.pod_name_re("web").match(names[0])
    d = kube.deployment("web")
    assert d["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx"


def test_kubectl_scale_prints_scaled_and_three_pods_run(kube_shared):
    kube = kube_shared
    create_web(kube)
    out = kube("scale", "deployment", "web", "--replicas=3")
    assert out.stdout == "deployment.apps/web scaled\n"
    kube.wait_running("app=web", 3)
    kube.wait_rolled_out("web")
    _, rows = kube.table("get", "deploy", "web")
    assert rows[0]["READY"] == "3/3"
    # Scale down again: two pods go, one stays Running.
    assert kube("scale", "deployment/web", "--replicas=1").stdout == "deployment.apps/web scaled\n"
    kube.wait_running("app=web", 1)


def test_scale_with_current_replicas_uses_the_scale_subresource(kube_shared):
    kube = kube_shared
    create_web(kube)
    out = kube("scale", "deployment", "web", "--current-replicas=1", "--replicas=2")
    assert out.stdout == "deployment.apps/web scaled\n"
    kube.wait_running("app=web", 2)
    bad = kube("scale", "deployment", "web", "--current-replicas=7", "--replicas=3", check=False)
    assert bad.returncode == 1
    assert bad.stderr == "error: Expected replicas to be 7, was 2\n", bad.stderr
    assert kube.deployment("web")["spec"]["replicas"] == 2


def test_scaling_to_an_absurd_replica_count_is_refused_with_a_clear_forbidden_message(kube_shared):
    kube = kube_shared
    create_web(kube)
    out = kube("scale", "deployment", "web", "--replicas=100000", check=False)
    assert out.returncode == 1
    assert out.stderr.startswith("Error from server (Forbidden): "), out.stderr
    assert "100000" in out.stderr and "quota" in out.stderr, out.stderr
    assert kube.deployment("web")["spec"]["replicas"] == 1
    assert len(kube.pods("app=web")) == 1


def test_get_deploy_nope_is_not_found(kube_shared):
    kube = kube_shared
    out = kube("get", "deploy", "nope", check=False)
    assert out.returncode == 1
    assert out.stdout == ""
    assert out.stderr == 'Error from server (NotFound): deployments.apps "nope" not found\n'


def test_get_pod_nope_is_not_found(kube_shared):
    kube = kube_shared
    out = kube("get", "pod", "nope", check=False)
    assert out.returncode == 1
    assert out.stderr == 'Error from server (NotFound): pods "nope" not found\n'


def test_get_an_unknown_resource_type_is_refused_by_kubectl(kube_shared):
    kube = kube_shared
    out = kube("get", "nosuchkind", check=False)
    assert out.returncode == 1
    assert out.stderr == 'error: the server doesn\'t have a resource type "nosuchkind"\n'


def test_kubectl_version_shows_server_version_1_32(kube_shared):
    kube = kube_shared
    out = kube("version")
    assert re.search(r"^Server Version: v1\.32\.\S+$", out.stdout, re.M), out.stdout
    assert "Client Version: v1.32" in out.stdout
    assert "WARNING" not in out.stderr


def test_api_resources_lists_deployments_with_shortname_deploy(kube_shared):
    # Discovery only (no test in this module adds a kind), with the test's own discovery cache.
    kube = kube_shared
    header, rows = kube.table("api-resources")
    assert header == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    # A name may be served by two groups (pods: v1, and metrics.k8s.io's PodMetrics, as with metrics-server).
    by_name = {(r["NAME"], r["APIVERSION"]): r for r in rows}
    want = {"deployments": ("deploy", "apps/v1", "true", "Deployment"),
            "replicasets": ("rs", "apps/v1", "true", "ReplicaSet"),
            "pods": ("po", "v1", "true", "Pod"),
            "nodes": ("no", "v1", "false", "Node"),
            "namespaces": ("ns", "v1", "false", "Namespace"),
            "services": ("svc", "v1", "true", "Service"),
            "configmaps": ("cm", "v1", "true", "ConfigMap"),
            "secrets": ("", "v1", "true", "Secret"),
            "serviceaccounts": ("sa", "v1", "true", "ServiceAccount"),
            "events": ("ev", "v1", "true", "Event")}
    want |= {"pods ": ("", "metrics.k8s.io/v1beta1", "true", "PodMetrics"),
             "nodes ": ("", "metrics.k8s.io/v1beta1", "false", "NodeMetrics")}
    for name, (short, gv, namespaced, kind) in want.items():
        r = by_name.get((name.strip(), gv))
        assert r is not None, f"{name} {gv} missing from api-resources: {sorted(by_name)}"
        assert (r["SHORTNAMES"], r["NAMESPACED"], r["KIND"]) == (short, namespaced, kind), r
    # Subresources are not listed.
    assert not [n for n, _ in by_name if "/" in n]


def test_cluster_info_names_the_control_plane(kube_shared):
    kube = kube_shared
    out = kube("cluster-info")
    assert f"Kubernetes control plane is running at {kube.server.url}" in out.stdout


def test_describe_deployment_shows_replicas_replicasets_and_events(kube_shared):
    kube = kube_shared
    out = kube("apply", "-f", kube.file("login.yaml"))
    assert out.stdout == "deployment.apps/login-app created\n"
    names = kube.wait_running("app=login", 3)
    kube.wait_rolled_out("login-app")
    rs = names[0].rsplit("-", 1)[0]
    text = kube("describe", "deployment", "login-app").stdout
    assert re.search(r"^Name:\s+login-app$", text, re.M), text
    assert re.search(rf"^Namespace:\s+{kube.ns}$", text, re.M), text
    assert re.search(r"^Selector:\s+app=login$", text, re.M), text
    assert re.search(r"^Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable$", text, re.M), text
    assert re.search(r"^StrategyType:\s+RollingUpdate$", text, re.M), text
    assert re.search(r"^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$", text, re.M), text
    assert re.search(r"^\s+Image:\s+nginx$", text, re.M), text
    assert re.search(r"^\s+Available\s+True\s+MinimumReplicasAvailable$", text, re.M), text
    assert re.search(r"^\s+Progressing\s+True\s+NewReplicaSetAvailable$", text, re.M), text
    assert re.search(rf"^NewReplicaSet:\s+{rs} \(3/3 replicas created\)$", text, re.M), text
    assert re.search(rf"Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set {rs} to 3$", text, re.M), text


def test_describe_pod_shows_status_owner_and_events(kube_shared):
    kube = kube_shared
    kube("apply", "-f", kube.file("login.yaml"))
    names = kube.wait_running("app=login", 3)
    pod = names[0]
    rs = pod.rsplit("-", 1)[0]
    text = kube("describe", "pod", pod).stdout
    assert re.search(rf"^Name:\s+{pod}$", text, re.M), text
    assert re.search(r"^Status:\s+Running$", text, re.M), text
    assert re.search(rf"^Controlled By:\s+ReplicaSet/{rs}$", text, re.M), text
    assert re.search(r"^Node:\s+\S+/\d+\.\d+\.\d+\.\d+$", text, re.M), text
    assert re.search(r"^IP:\s+\d+\.\d+\.\d+\.\d+$", text, re.M), text
    assert re.search(r"^\s+State:\s+Running$", text, re.M), text
    assert re.search(r"^\s+Ready:\s+True$", text, re.M), text
    assert re.search(rf"Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned {kube.ns}/{pod} to \S+$", text, re.M), text
    assert re.search(r"Normal\s+Started\s+\S+\s+kubelet\s+Started container login$", text, re.M), text


def test_rollout_status_reports_success(kube_shared):
    kube = kube_shared
    kube("apply", "-f", kube.file("login.yaml"))
    out = kube("rollout", "status", "deployment/login-app", "--timeout=30s", timeout=40)
    assert out.stdout.splitlines()[-1] == 'deployment "login-app" successfully rolled out'
    kube.wait_running("app=login", 3)


def test_set_image_then_rollout_history_and_undo(kube_shared):
    kube = kube_shared
    kube("apply", "-f", kube.file("login.yaml"))
    first = kube.wait_running("app=login", 3)
    kube.wait_rolled_out("login-app")
    out = kube("set", "image", "deployment/login-app", "login=nginx:1.25")
    assert out.stdout == "deployment.apps/login-app image updated\n"
    out = kube("rollout", "status", "deployment/login-app", "--timeout=40s", timeout=50)
    assert out.stdout.splitlines()[-1] == 'deployment "login-app" successfully rolled out'
    second = kube.wait_running("app=login", 3)
    assert not set(first) & set(second), "a rolling update replaces every pod"
    images = {p["spec"]["containers"][0]["image"] for p in kube.pods("app=login") if kube.is_live(p)}
    assert images == {"nginx:1.25"}
    _, rs_rows = kube.table("get", "rs")
    assert sorted((r["DESIRED"], r["CURRENT"]) for r in rs_rows) == [("0", "0"), ("3", "3")], rs_rows

    # kubectl prints "deployment.apps/login-app " on a line of its own before the table.
    out = kube("rollout", "history", "deployment/login-app").stdout
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert lines[0].strip() == "deployment.apps/login-app"
    _, rows = kube.parse_table("\n".join(lines[1:]))
    assert [r["REVISION"] for r in rows] == ["1", "2"]
    assert all(r["CHANGE-CAUSE"] == "<none>" for r in rows), rows

    out = kube("rollout", "undo", "deployment/login-app")
    assert out.stdout == "deployment.apps/login-app rolled back\n"
    out = kube("rollout", "status", "deployment/login-app", "--timeout=40s", timeout=50)
    assert out.stdout.splitlines()[-1] == 'deployment "login-app" successfully rolled out'
    kube.wait_running("app=login", 3)
    images = {p["spec"]["containers"][0]["image"] for p in kube.pods("app=login") if kube.is_live(p)}
    assert images == {"nginx"}
    out = kube("rollout", "history", "deployment/login-app").stdout
    lines = [ln for ln in out.splitlines() if ln.strip()]
    _, rows = kube.parse_table("\n".join(lines[1:]))
    # Rolling back to revision 1 re-labels it as revision 3.
    assert [r["REVISION"] for r in rows] == ["2", "3"]


def test_rollout_undo_without_history_is_an_error(kube_shared):
    kube = kube_shared
    create_web(kube)
    out = kube("rollout", "undo", "deployment/web", check=False)
    assert out.returncode == 1
    assert "skipped rollback" in out.stderr or "no rollout history found" in out.stderr, out.stderr


def test_expose_deployment_creates_a_service_listed_by_get_svc(kube_shared):
    kube = kube_shared
    create_web(kube)
    out = kube("expose", "deployment", "web", "--port=80")
    assert out.stdout == "service/web exposed\n"
    header, rows = kube.table("get", "svc")
    assert header == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    by_name = {r["NAME"]: r for r in rows}
    assert set(by_name) == {"web"}                  # the test's own namespace
    # The apiserver's Service, in `default`, beside it.
    header, rows = kube.table("get", "svc", "-n", "default")
    assert header == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert [r["NAME"] for r in rows] == ["kubernetes"]
    by_name["kubernetes"] = rows[0]
    assert (by_name["kubernetes"]["TYPE"], by_name["kubernetes"]["CLUSTER-IP"], by_name["kubernetes"]["PORT(S)"]) == \
        ("ClusterIP", "10.96.0.1", "443/TCP")
    web = by_name["web"]
    assert (web["TYPE"], web["EXTERNAL-IP"], web["PORT(S)"]) == ("ClusterIP", "<none>", "80/TCP"), web
    assert re.fullmatch(r"10\.\d+\.\d+\.\d+", web["CLUSTER-IP"]) and web["CLUSTER-IP"] != "10.96.0.1", web
    svc = json.loads(kube("get", "svc", "web", "-o", "json").stdout)
    assert svc["spec"]["selector"] == {"app": "web"}
    assert svc["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]


def test_logs_of_a_running_pod(kube_shared):
    kube = kube_shared
    kube("run", "login-app", "--image=nginx")
    kube.wait_running("run=login-app", 1)
    out = kube("logs", "login-app")
    assert out.returncode == 0 and out.stderr == ""
    missing = kube("logs", "nope", check=False)
    assert missing.returncode == 1
    assert missing.stderr == f'error: error from server (NotFound): pods "nope" not found in namespace "{kube.ns}"\n'


def test_create_namespace_and_configmap_are_protobuf_creates_that_work(kube):
    assert kube("create", "namespace", "team-a").stdout == "namespace/team-a created\n"
    out = kube("create", "configmap", "settings", "--from-literal=color=blue", "-n", "team-a")
    assert out.stdout == "configmap/settings created\n"
    cm = json.loads(kube("get", "cm", "settings", "-n", "team-a", "-o", "json").stdout)
    assert cm["data"] == {"color": "blue"}
    header, rows = kube.table("get", "ns")
    assert header == ["NAME", "STATUS", "AGE"]
    assert {"default", "kube-system", "team-a"} <= {r["NAME"] for r in rows}
    assert {r["STATUS"] for r in rows} == {"Active"}


def test_label_and_annotate_use_merge_patches(kube_shared):
    kube = kube_shared
    create_web(kube)
    assert kube("label", "deployment", "web", "tier=frontend").stdout == "deployment.apps/web labeled\n"
    assert kube("annotate", "deployment", "web", "owner=me").stdout == "deployment.apps/web annotated\n"
    d = kube.deployment("web")
    assert d["metadata"]["labels"]["tier"] == "frontend"
    assert d["metadata"]["annotations"]["owner"] == "me"
    header, rows = kube.table("get", "deploy", "-l", "tier=frontend")
    assert [r["NAME"] for r in rows] == ["web"]
