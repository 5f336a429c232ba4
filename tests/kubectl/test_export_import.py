"""`kubeplay export` and `kubeplay import` (issue 14, part 5), end to end with real servers.

An export of a playground, applied with the real kubectl to a fresh playground, recreates the same
workloads (pods per workload and their images, Services and their ports) and holds none of the
fields a cluster sets. An import of one playground server (read through its kubeconfig with the
`kubernetes` client, as a real cluster would be) into another reproduces its nodes (names,
capacity, labels, taints) and workloads. Failures are one line with the apiserver's text."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.kubectl.conftest import TESTDATA, is_live

REPO = Path(__file__).resolve().parents[2]
SHOP = TESTDATA / "export-shop.yaml"
# Fields only a cluster sets: none may appear anywhere in an export.
SERVER_FIELDS = {"status", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
                 "selfLink", "ownerReferences", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "nodeName",
                 "volumeName"}
SERVER_ANNOTATIONS = {"kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision"}
EXPORTED = [("Namespace", None, "shop"), ("ConfigMap", "shop", "web-config"), ("Service", "shop", "db"),
            ("Service", "shop", "web"), ("Deployment", "shop", "web"), ("StatefulSet", "shop", "db"),
            ("Job", "shop", "once"), ("Pod", "shop", "bare")]


def kubeplay(*args, home, timeout: float = 90) -> subprocess.CompletedProcess:
    """The kubeplay CLI as a user runs it, with `home` as HOME (where `kubeplay serve` recorded
    its address: ~/.kubeplay/server.json)."""
    env = dict(os.environ, HOME=str(home), NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    for name in ("KUBECONFIG", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "webapp", *map(str, args)], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def _walk(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield path + (k,)
            yield from _walk(v, path + (k,))
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, path)


def workloads(server) -> dict:
    """What must match between the two playgrounds: each workload's live pods (phase, images),
    and the Services with their ports."""
    pods = [p for p in server.get_json("/api/v1/namespaces/shop/pods")["items"] if is_live(p)]
    by_owner: dict = {}
    for p in pods:
        labels = p["metadata"].get("labels") or {}
        owner = labels.get("app") or labels.get("job-name")
        images = tuple(c["image"] for c in p["spec"]["containers"])
        by_owner.setdefault(owner, []).append(((p.get("status") or {}).get("phase"), images))
    services = {}
    for s in server.get_json("/api/v1/namespaces/shop/services")["items"]:
        spec = s["spec"]
        services[s["metadata"]["name"]] = (spec.get("type"), spec.get("clusterIP") == "None", sorted(
            (p.get("name"), p["port"], str(p.get("targetPort")), p["protocol"],
             p.get("nodePort") if p.get("name") == "http" else None) for p in spec["ports"]))
    return {"pods": {k: sorted(v) for k, v in by_owner.items()}, "services": services}


EXPECTED_PODS = {"web": [("Running", ("nginx:1.27",))] * 2, "db": [("Running", ("nginx:1.27",))] * 2,
                 "once": [("Succeeded", ("busybox:1.36",))], "bare": [("Running", ("nginx:1.27",))]}


def settled(server) -> dict:
    """The source's workloads once every pod is where it stays (Running, or the Job's Succeeded)."""
    def check():
        got = workloads(server)
        assert got["pods"] == EXPECTED_PODS, got["pods"]
        return got
    return server.wait_until(check, 90, message="the shop's workloads running")


def same_as(server, want: dict, what):
    """Wait until what(server) equals want (the last difference is in the failure)."""
    def check():
        got = what(server)
        assert got == want, f"have {got}, want {want}"
        return True
    return server.wait_until(check, 90, message=f"{what.__name__} as in the source")


def nodes(server) -> dict:
    out = {}
    for n in server.get_json("/api/v1/nodes")["items"]:
        cap = n["status"]["capacity"]
        out[n["metadata"]["name"]] = {
            "capacity": (cap["cpu"], cap["memory"], cap["pods"]), "labels": n["metadata"].get("labels") or {},
            "taints": [{k: v for k, v in t.items() if k != "timeAdded"} for t in n["spec"].get("taints") or ()]}
    return out


def test_an_export_applied_to_a_fresh_playground_recreates_the_workloads(kubeplay_factory, kubectl_version,
                                                                         kubectl_session, tmp_path):
    source = kubeplay_factory()
    src = kubectl_session(source, tmp_path / "src", namespace="default", version=kubectl_version)
    src.kubectl("apply", "-f", SHOP)
    want = settled(source)

    out = tmp_path / "shop.yaml"
    cp = kubeplay("export", "-f", out, home=source.home)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout == "" and f"wrote {len(EXPORTED)} objects to {out}" in cp.stderr
    docs = list(yaml.safe_load_all(out.read_text()))
    assert [(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in docs] == EXPORTED
    for d in docs:
        leaked = [p for p in _walk(d) if p[-1] in SERVER_FIELDS]
        assert not leaked, (d["kind"], d["metadata"]["name"], leaked)
        assert not SERVER_ANNOTATIONS & set(d["metadata"].get("annotations") or {}), d
    web_svc = next(d for d in docs if d["kind"] == "Service" and d["metadata"]["name"] == "web")["spec"]
    assert "clusterIP" not in web_svc
    assert [p.get("nodePort") for p in web_svc["ports"]] == [30080, None]    # the user's, not the allocated one
    assert "selector" not in next(d for d in docs if d["kind"] == "Job")["spec"]

    # The same, as JSON on stdout, for one namespace; and a namespace that is not there.
    cp = kubeplay("export", "-o", "json", "-n", "shop", "--server", source.url, home=tmp_path / "nohome")
    assert cp.returncode == 0, cp.stderr
    listed = json.loads(cp.stdout)
    assert listed["kind"] == "List" and [i["metadata"]["name"] for i in listed["items"]] == [e[2] for e in EXPORTED]
    cp = kubeplay("export", "-n", "nope", home=source.home)
    assert (cp.returncode, cp.stdout) == (1, "")
    assert cp.stderr == f'kubeplay: the playground at {source.url} answered 404: namespaces "nope" not found\n'

    target = kubeplay_factory()
    dst = kubectl_session(target, tmp_path / "dst", namespace="default", version=kubectl_version)
    applied = dst.kubectl("apply", "-f", out).stdout
    assert applied.splitlines() == ["namespace/shop created", "configmap/web-config created", "service/db created",
                                    "service/web created", "deployment.apps/web created",
                                    "statefulset.apps/db created", "job.batch/once created", "pod/bare created"]
    same_as(target, want, workloads)
    claims = target.get_json("/api/v1/namespaces/shop/persistentvolumeclaims")["items"]
    assert sorted(c["metadata"]["name"] for c in claims) == ["data-db-0", "data-db-1"]


def test_an_import_of_one_playground_into_another_reproduces_nodes_and_workloads(kubeplay_factory, kubectl_session,
                                                                               tmp_path):
    source = kubeplay_factory()
    src = kubectl_session(source, tmp_path / "src", namespace="default")
    source.post_json("/kubeplay/v1/nodes", {"name": "big-1", "cpu": "16", "memory": "64Gi", "pods": 250})
    source.wait_until(lambda: "big-1" in nodes(source), 30, message="big-1 joined")
    src.kubectl("label", "node", "node-2", "disk=ssd")
    src.kubectl("taint", "node", "big-1", "dedicated=db:NoSchedule")
    src.kubectl("apply", "-f", SHOP)
    want = settled(source)
    want_nodes = nodes(source)

    target = kubeplay_factory(nodes=1)
    target.post_json("/kubeplay/v1/nodes", {"name": "extra-1"})
    target.wait_until(lambda: "extra-1" in nodes(target), 30, message="extra-1 joined")
    cp = kubeplay("import", "--kubeconfig", source.kubeconfig, home=target.home)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.splitlines() == [
        f"imported from {source.url} into {target.url}: 1 ConfigMap, 1 Deployment, 1 Job, 1 Namespace, 1 Pod, "
        f"2 Services, 1 StatefulSet",
        "  nodes added: big-1, node-2, node-3",
        "  nodes updated: kubeplay-control-plane, node-1",
        "  nodes removed: extra-1"], cp.stdout
    same_as(target, want_nodes, nodes)
    same_as(target, want, workloads)

    # Again: everything is there already, so nothing is written and the refusal says why.
    cp = kubeplay("import", "--kubeconfig", source.kubeconfig, "--keep-nodes", home=target.home)
    assert (cp.returncode, cp.stdout) == (1, "")
    assert cp.stderr == (f"kubeplay: the playground at {target.url} answered 409: importing ConfigMap "
                         f'"web-config" in namespace "shop": configmaps "web-config" already exists\n')


def test_an_import_reports_an_unreachable_or_refusing_cluster_in_one_line(kubeplay_factory, free_port_kubeconfig,
                                                                          tmp_path):
    target = kubeplay_factory(nodes=1)
    cp = kubeplay("import", "--kubeconfig", free_port_kubeconfig, home=target.home)
    assert cp.returncode == 1 and "Traceback" not in cp.stderr
    assert re.fullmatch(r"kubeplay: cannot reach the cluster at http://127\.0\.0\.1:\d+: .*refused.*\n", cp.stderr), \
        cp.stderr

    guarded = kubeplay_factory(nodes=1, extra_args=("--token", "right-token"))
    wrong = tmp_path / "wrong-token.kubeconfig"
    wrong.write_text(guarded.kubeconfig.read_text().replace('"right-token"', '"wrong-token"'))
    cp = kubeplay("import", "--kubeconfig", wrong, home=target.home)
    assert (cp.returncode, cp.stdout) == (1, "")
    assert cp.stderr == f"kubeplay: the cluster at {guarded.url} refused: Unauthorized (401 Unauthorized)\n"

    cp = kubeplay("import", "--kubeconfig", guarded.kubeconfig, home=tmp_path / "no-playground")
    assert (cp.returncode, cp.stdout) == (1, "")
    assert cp.stderr.startswith("kubeplay: no running kubeplay found (") and "`kubeplay serve`" in cp.stderr


@pytest.fixture
def free_port_kubeconfig(tmp_path):
    """A kubeconfig for a cluster that is not there: a port bound and released, nothing listening."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = tmp_path / "unreachable.kubeconfig"
    path.write_text(f"apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster:\n"
                    f"    server: http://127.0.0.1:{port}\nusers:\n- name: gone\n  user: {{}}\n"
                    f"contexts:\n- name: gone\n  context: {{cluster: gone, user: gone}}\ncurrent-context: gone\n")
    os.chmod(path, 0o600)
    return path


OTHER = """\
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: elsewhere, namespace: other}
data: {a: b}
---
apiVersion: v1
kind: Secret
metadata: {name: db-password, namespace: shop}
stringData: {password: s3cret}
"""


def test_an_import_of_one_namespace_through_another_context_keeps_the_playgrounds_nodes(kubeplay_factory,
                                                                                     kubectl_session, tmp_path):
    source = kubeplay_factory()
    src = kubectl_session(source, tmp_path / "src", namespace="default")
    src.kubectl("apply", "-f", SHOP)
    src.kubectl("apply", "-f", "-", input=OTHER)
    want = settled(source)
    # The kubeconfig's current context is a cluster that is not there; --context picks the source.
    two = tmp_path / "two-contexts.kubeconfig"
    text = source.kubeconfig.read_text().replace("current-context: kubeplay", "current-context: gone")
    config = yaml.safe_load(text)
    config["clusters"].append({"name": "gone", "cluster": {"server": "http://127.0.0.1:9"}})
    config["contexts"].append({"name": "gone", "context": {"cluster": "gone", "user": "kubeplay"}})
    two.write_text(yaml.safe_dump(config))

    target = kubeplay_factory(nodes=1)
    before = nodes(target)
    cp = kubeplay("import", "--kubeconfig", two, "--context", "kubeplay", "-n", "shop", "--keep-nodes",
                  "--include-secrets", home=target.home)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout == (f"imported from {source.url} into {target.url}: 1 ConfigMap, 1 Deployment, 1 Job, "
                         f"1 Namespace, 1 Pod, 1 Secret, 2 Services, 1 StatefulSet\n")
    same_as(target, want, workloads)
    assert nodes(target) == before
    assert [n["metadata"]["name"] for n in target.get_json("/api/v1/namespaces")["items"]
            if n["metadata"]["name"] in ("shop", "other")] == ["shop"]
    secrets = target.get_json("/api/v1/namespaces/shop/secrets")["items"]
    assert [(s["metadata"]["name"], s["type"]) for s in secrets
            if s["type"] != "kubernetes.io/service-account-token"] == [("db-password", "Opaque")]

    cp = kubeplay("import", "--kubeconfig", two, home=target.home, timeout=60)
    assert (cp.returncode, cp.stdout) == (1, "")
    assert cp.stderr.startswith("kubeplay: cannot reach the cluster at http://127.0.0.1:9: "), cp.stderr
