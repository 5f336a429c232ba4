"""examples/: the manifests the README applies with kubectl and the page's Examples menu loads
(one copy each). Every example does on a real server, driven by the real kubectl, what its
comment and the README say; the page gets exactly these files from GET /kubeplay/v1/examples."""
from __future__ import annotations

import os
import urllib.error
import urllib.request

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(REPO, "examples")
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def menu() -> list[tuple[str, str]]:
    out = []
    with open(os.path.join(EXAMPLES, "menu.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                name, title = line.split(None, 1)
                out.append((name, title))
    return out


def example(name: str) -> str:
    return os.path.join(EXAMPLES, name)


def test_the_menu_lists_every_example_once_and_the_seed_first():
    names = [n for n, _ in menu()]
    assert sorted(names) == sorted(f for f in os.listdir(EXAMPLES) if f.endswith(".yaml"))
    assert len(set(names)) == len(names)
    assert names[0] == "login.yaml", "the editor opens with the README's seed"
    for name in names:
        with open(example(name), encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
        assert docs and all(d.get("apiVersion") and d.get("kind") for d in docs), name


def test_the_page_gets_the_files_themselves_from_the_server(kubeplay_module_server):
    srv = kubeplay_module_server
    got = srv.get_json("/kubeplay/v1/examples")["examples"]
    assert [(e["file"], e["title"]) for e in got] == menu()
    for e in got:
        assert e["id"] == e["file"].removesuffix(".yaml")
        with open(example(e["file"]), encoding="utf-8") as f:
            assert e["yaml"] == f.read()
    # GET only: the page's examples are read, never written (even a request the gate lets
    # through, one carrying the page's header, finds no POST route).
    req = urllib.request.Request(srv.url + "/kubeplay/v1/examples", data=b"{}", method="POST",
                                 headers={"Content-Type": "application/json", "X-Kubeplay-Request": "page"})
    with pytest.raises(urllib.error.HTTPError) as e:
        _OPENER.open(req, timeout=10)
    e.value.close()
    assert e.value.code == 405


def _apply(srv, name: str) -> str:
    return srv.kubectl("apply", "-f", example(name)).stdout


def _running(srv, selector: str, n: int) -> list[dict]:
    def check():
        pods = [p for p in srv.get_json(f"/api/v1/namespaces/default/pods?labelSelector={selector}")["items"]
                if not p["metadata"].get("deletionTimestamp")]
        phases = [(p.get("status") or {}).get("phase") for p in pods]
        assert len(pods) == n and phases == ["Running"] * n, f"{selector}: {phases}"
        return pods
    return srv.wait_until(check, 60, message=f"{n} Running pods with {selector}")


def test_the_readme_seed_kubectl_apply_f_examples_login_yaml(kubeplay_module_server):
    srv = kubeplay_module_server
    assert _apply(srv, "login.yaml") == "deployment.apps/login-app created\n"
    _running(srv, "app=login", 3)


def test_the_pizza_system_login_3_payment_2_delivery_1_each_with_a_service_on_port_80(kubeplay_module_server):
    srv = kubeplay_module_server
    out = _apply(srv, "pizza.yaml").splitlines()
    assert out == [f"{kind}/{name} created" for name in ("login", "payment", "delivery")
                   for kind in ("deployment.apps", "service")]
    for name, replicas in (("login", 3), ("payment", 2), ("delivery", 1)):
        d = srv.get_json(f"/apis/apps/v1/namespaces/default/deployments/{name}")
        assert d["spec"]["replicas"] == replicas
        assert d["spec"]["template"]["spec"]["containers"][0]["image"] == f"registry.example/pizza/{name}:1.2.3"
        s = srv.get_json(f"/api/v1/namespaces/default/services/{name}")
        assert s["spec"]["selector"] == {"app": name}
        assert [p["port"] for p in s["spec"]["ports"]] == [80]
        _running(srv, f"app={name},system=pizza", replicas)


def test_the_daemonset_puts_a_pod_on_every_node_and_on_a_new_one(kubeplay_module_server):
    srv = kubeplay_module_server
    assert _apply(srv, "daemonset.yaml") == "daemonset.apps/node-agent created\n"
    # The workers: the control-plane node's NoSchedule taint keeps a DaemonSet without a
    # toleration off it, as on kind.
    nodes = {n["metadata"]["name"] for n in srv.get_json("/api/v1/nodes")["items"]
             if not any(t["key"] == "node-role.kubernetes.io/control-plane" for t in n["spec"].get("taints") or ())}
    pods = _running(srv, "app=node-agent", len(nodes))
    assert {p["spec"]["nodeName"] for p in pods} == nodes
    added = srv.post_json("/kubeplay/v1/nodes", {"name": "node-extra"})
    assert added["node"] == "node-extra"
    pods = _running(srv, "app=node-agent", len(nodes) + 1)
    assert {p["spec"]["nodeName"] for p in pods} == nodes | {"node-extra"}


def test_the_small_examples_do_what_their_comments_say(kubeplay_module_server):
    srv = kubeplay_module_server
    assert _apply(srv, "pod.yaml") == "pod/hello created\n"
    assert _apply(srv, "web.yaml") == "deployment.apps/web created\nservice/web created\n"
    _running(srv, "app=web", 2)
    assert _apply(srv, "unschedulable.yaml") == "pod/greedy created\n"

    def pending_with_reason():
        pod = srv.get_json("/api/v1/namespaces/default/pods/greedy")
        cond = [c for c in pod["status"].get("conditions", []) if c["type"] == "PodScheduled"]
        assert pod["status"]["phase"] == "Pending" and cond and cond[0]["reason"] == "Unschedulable", pod["status"]
        return cond[0]["message"]
    assert "Insufficient cpu" in srv.wait_until(pending_with_reason, 30, message="greedy unschedulable")


def test_the_invalid_example_is_refused_with_the_apiservers_text(kubeplay_module_server):
    cp = kubeplay_module_server.kubectl("apply", "-f", example("invalid.yaml"), check=False)
    assert cp.returncode == 1
    assert 'The Deployment "no-selector" is invalid' in cp.stderr
    assert "spec.selector: Required value" in cp.stderr
    with pytest.raises(urllib.error.HTTPError) as e:
        kubeplay_module_server.get_json("/apis/apps/v1/namespaces/default/deployments/no-selector")
    e.value.close()
    assert e.value.code == 404
