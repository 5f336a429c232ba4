"""Issue 4 in the page: a rollout's old and new ReplicaSets side by side, each Service with the
endpoints it routes to, a node failure as the data tells it (NotReady/Unknown, taints,
Terminating pods, replacements elsewhere), the timings the header announces, and StatefulSets
and DaemonSets in the workload strip.

Real Chromium against a real server (tests/browser/conftest.py); waits are on what the page
shows, never sleeps. Servers run at --speed 1; tests that need simulated time to pass use the
page's own speed control.
"""
from __future__ import annotations

import re

from playwright.sync_api import expect

from test_playground import LOGIN, api, pod_names


def run(p, command: str) -> None:
    """Type a command in the page's terminal; wait for it to succeed."""
    box = p.page.get_by_label("Command")
    box.fill(command)
    box.press("Enter")
    block = p.page.locator("#terminal-output .term-block").last
    expect(block).to_have_attribute("data-exit-code", "0")


def card(p, workload: str):
    return p.page.locator(f'.workload[data-workload="{workload}"]')


def record_desired(p) -> None:
    """Record, per ReplicaSet box of the page, each value its data-desired takes (window.desired)."""
    p.page.evaluate("""() => {
      const seen = window.desired = {};
      const look = () => document.querySelectorAll(".rs[data-rs]").forEach((el) => {
        const list = seen[el.dataset.rs] || (seen[el.dataset.rs] = []);
        const v = el.dataset.desired;
        if (v !== undefined && list[list.length - 1] !== v) list.push(v);
      });
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true,
                                                           attributeFilter: ["data-desired"] });
      look();
    }""")


# minReadySeconds holds each step of the rollout for 10 simulated seconds after the new pod is
# ready (maxUnavailable 0 waits for it to be available): time to look at it at 1×.
SLOW_LOGIN = LOGIN.replace("  replicas: 3\n", "  replicas: 3\n  minReadySeconds: 10\n")


def test_a_rollout_shows_old_and_new_replicasets_side_by_side(playground):
    p = playground
    p.type_yaml(SLOW_LOGIN)
    p.apply()
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(3)
    c = card(p, "Deployment/login-app")
    # At rest: one ReplicaSet, revision 1, owning the 3 pods.
    expect(c).to_have_attribute("data-rolling", "false")
    expect(c.locator("[data-rs]")).to_have_count(1)
    first = c.locator("[data-rs]")
    expect(first).to_have_attribute("data-revision", "1")
    expect(first.locator(".rs-pod")).to_have_count(3)
    old_name = first.get_attribute("data-rs")
    expect(p.page.locator(f'[data-pod][data-rs="{old_name}"][data-revision="1"]')).to_have_count(3)
    record_desired(p)

    # The first step: a new ReplicaSet surges one pod (maxSurge 25% of 3 rounds up to 1,
    # maxUnavailable rounds down to 0), and the old one keeps its 3 until that pod is available.
    run(p, "kubectl set image deployment/login-app login=nginx:1.25")
    expect(c).to_have_attribute("data-rolling", "true")
    old = c.locator('[data-rs][data-role="old"]')
    new = c.locator('[data-rs][data-role="new"]')
    expect(old).to_have_count(1)
    expect(new).to_have_count(1)
    expect(old).to_have_attribute("data-rs", old_name)
    expect(old).to_have_attribute("data-revision", "1")
    expect(new).to_have_attribute("data-revision", "2")
    expect(old.locator(".rs-image")).to_have_text("nginx")
    expect(new.locator(".rs-image")).to_have_text("nginx:1.25")
    expect(old.locator(".rs-name")).to_have_text(f"ReplicaSet {old_name}")
    expect(c.locator(".rollout-status")).to_have_text("rolling update: revision 1 → 2")
    expect(new).to_have_attribute("data-desired", "1")
    expect(new.locator(".rs-pod")).to_have_count(1)
    expect(old.locator(".rs-pod")).to_have_count(3)
    new_name = new.get_attribute("data-rs")
    assert new_name != old_name and new_name.startswith("login-app-")
    # Side by side: old on the left, new on the right, on the same row.
    ob, nb = old.bounding_box(), new.bounding_box()
    assert nb["x"] > ob["x"] + ob["width"] - 1 and abs(nb["y"] - ob["y"]) < 5, (ob, nb)
    # In the cluster view each pod says which ReplicaSet owns it; the old ones look old.
    expect(p.page.locator(f'[data-pod][data-rs="{new_name}"][data-revision="2"]')).to_have_count(1)
    expect(p.page.locator(f'[data-pod][data-rs="{old_name}"].old-rev')).to_have_count(3)
    # Hovering a ReplicaSet highlights its pods.
    new.hover()
    expect(p.page.locator("[data-pod].highlit")).to_have_count(1)
    expect(p.page.locator(f'[data-pod][data-rs="{new_name}"]')).to_have_class(re.compile(r"\bhighlit\b"))
    p.page.locator("#nodes").hover()
    expect(p.page.locator("[data-pod].highlit")).to_have_count(0)

    # At 10× the pods are replaced one by one until only the new ReplicaSet has pods.
    p.set_speed(10)
    expect(c).to_have_attribute("data-rolling", "false")
    expect(c.locator("[data-rs]")).to_have_count(1)
    expect(c.locator("[data-rs]")).to_have_attribute("data-rs", new_name)
    expect(c.locator(f'[data-rs="{new_name}"] .rs-pod')).to_have_count(3)
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(3)
    expect(p.page.locator(f'[data-pod][data-rs="{new_name}"]')).to_have_count(3)
    expect(p.page.locator(f'[data-pod][data-rs="{old_name}"]')).to_have_count(0)
    expect(p.page.locator("[data-pod].old-rev")).to_have_count(0)
    seen = p.page.evaluate("window.desired")
    assert seen[old_name] == ["3", "2", "1", "0"], seen
    assert seen[new_name] == ["1", "2", "3"], seen

    # `rollout undo` brings the first template back as revision 3: its old ReplicaSet is the new
    # one again, and the pods say so.
    run(p, "kubectl rollout undo deployment/login-app")
    # Wait for the page to see the undo (revision 3 on the first ReplicaSet) before counting:
    # until then the card still shows the finished revision-2 rollout as its only ReplicaSet,
    # and during the undo it shows two (a strict-mode locator fails at once on two matches).
    expect(c.locator(f'[data-rs="{old_name}"][data-revision="3"]')).to_have_count(1)
    expect(c.locator("[data-rs]")).to_have_count(1)
    expect(c.locator("[data-rs]")).to_have_attribute("data-rs", old_name)
    expect(c.locator("[data-rs]")).to_have_attribute("data-revision", "3")
    expect(p.page.locator(f'[data-pod][data-rs="{old_name}"][data-revision="3"][data-status="Running"]')).to_have_count(3)
    expect(p.pods("Deployment/login-app")).to_have_count(3)


def test_a_service_shows_one_ready_endpoint_per_running_pod(playground):
    p = playground
    p.page.get_by_label("Examples").select_option("web")
    p.apply()
    expect(p.message()).to_contain_text("service/web created")
    running = p.pods("Deployment/web", "Running")
    expect(running).to_have_count(2)
    svc = p.page.locator('[data-service="default/web"]')
    expect(svc).to_be_visible()
    chips = svc.locator('[data-endpoint][data-ready="true"]')
    expect(chips).to_have_count(2)
    names = {n.split("/")[1] for n in pod_names(running)}
    assert set(chips.evaluate_all("els => els.map(e => e.dataset.endpoint)")) == names
    spec = api(p.server, "GET", "/api/v1/namespaces/default/services/web")["spec"]
    expect(svc.locator(".svc-type")).to_have_text("ClusterIP")
    expect(svc.locator(".svc-ip")).to_have_text(spec["clusterIP"])
    expect(svc.locator(".svc-ports")).to_have_text("80/TCP")

    # Hover highlights the Service's pods; its name button pins that.
    svc.hover()
    expect(p.page.locator("[data-pod].highlit")).to_have_count(2)
    p.page.locator("#nodes").hover()
    expect(p.page.locator("[data-pod].highlit")).to_have_count(0)
    svc.get_by_role("button", name="Service default/web: highlight its pods").click()
    expect(p.page.locator("[data-pod].highlit")).to_have_count(2)

    # Kill a pod: its endpoint leaves (terminating first), the replacement's arrives and turns
    # ready; the pinned highlight follows.
    p.set_speed(10)
    victim = sorted(names)[0]
    p.page.locator(f'[data-pod="default/{victim}"]').click()
    p.page.get_by_role("button", name="Kill", exact=True).click()
    expect(svc.locator(f'[data-endpoint="{victim}"]')).to_have_count(0)
    expect(chips).to_have_count(2)
    expect(running).to_have_count(2)
    now = {n.split("/")[1] for n in pod_names(running)}
    assert set(chips.evaluate_all("els => els.map(e => e.dataset.endpoint)")) == now
    expect(p.page.locator("[data-pod].highlit")).to_have_count(2)


READINESS = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: flaky
spec:
  replicas: 2
  selector:
    matchLabels:
      app: flaky
  template:
    metadata:
      labels:
        app: flaky
    spec:
      containers:
      - name: app
        image: nginx
        command: ["sh", "-c", "touch /tmp/ready; sleep 60; rm -f /tmp/ready; sleep 3600"]
        readinessProbe:
          exec:
            command: ["cat", "/tmp/ready"]
          periodSeconds: 2
---
apiVersion: v1
kind: Service
metadata:
  name: flaky
spec:
  type: NodePort
  selector:
    app: flaky
  ports:
  - port: 80
    targetPort: 80
"""


def test_an_endpoint_chip_flips_when_its_pod_stops_being_ready(playground):
    p = playground
    p.set_speed(10)
    # The readiness probe reads a file the container removes after 60 s (engine/kubelet/probes.py):
    # ready first, then not ready while it keeps running.
    p.type_yaml(READINESS)
    p.apply()
    expect(p.message()).to_contain_text("service/flaky created")
    svc = p.page.locator('[data-service="default/flaky"]')
    node_port = api(p.server, "GET", "/api/v1/namespaces/default/services/flaky")["spec"]["ports"][0]["nodePort"]
    expect(svc.locator(".svc-type")).to_have_text("NodePort")
    expect(svc.locator(".svc-ports")).to_have_text(f"80/TCP nodePort {node_port}")
    expect(svc.locator('[data-endpoint][data-ready="true"]')).to_have_count(2)
    expect(svc).to_have_attribute("data-ready", "2")
    names = set(svc.locator("[data-endpoint]").evaluate_all("els => els.map(e => e.dataset.endpoint)"))
    # Not ready: the chips turn grey, the pods stay Running (0/1 ready) and stay listed.
    expect(svc.locator('[data-endpoint][data-ready="false"]')).to_have_count(2)
    expect(svc.locator('[data-endpoint][data-ready="true"]')).to_have_count(0)
    expect(svc).to_have_attribute("data-ready", "0")
    expect(svc.locator(".endpoint.not-ready").first).to_be_visible()
    assert set(svc.locator("[data-endpoint]").evaluate_all("els => els.map(e => e.dataset.endpoint)")) == names
    expect(p.pods("Deployment/flaky", "Running")).to_have_count(2)


def test_a_failed_node_turns_notready_is_tainted_and_its_pods_come_back_elsewhere(playground):
    p = playground
    p.type_yaml(LOGIN.replace("replicas: 3", "replicas: 6"))
    p.apply()
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(6)
    node = p.page.locator("[data-node]").filter(has=p.page.locator("[data-pod]")).first
    name = node.get_attribute("data-node")
    victims = pod_names(p.pods("Deployment/login-app", node=name))
    assert victims
    expect(node.locator(".taint")).to_have_count(0)
    node.locator("header").click()
    p.set_speed(10)
    p.page.get_by_role("button", name="Fail", exact=True).click()
    expect(node.get_by_text("heartbeats stopped")).to_be_visible()
    # After the grace period: Ready Unknown, the reason, the unreachable taints.
    expect(node).to_have_attribute("data-ready", "Unknown")
    expect(node.locator(".badge.bad")).to_have_text("NotReady (Unknown)")
    expect(node.locator(".node-reason")).to_have_text("Kubelet stopped posting node status.")
    expect(node.locator('[data-taint="node.kubernetes.io/unreachable:NoExecute"]')).to_be_visible()
    expect(node.locator('[data-taint="node.kubernetes.io/unreachable:NoSchedule"]')).to_have_text("unreachable:NoSchedule")
    # Its pods are evicted: marked for deletion, but a silent kubelet never confirms, so they
    # stay Terminating on the dead node while replacements run elsewhere.
    for v in victims:
        expect(p.page.locator(f'[data-node="{name}"] [data-pod="{v}"]')).to_have_attribute("data-status", "Terminating")
    running = p.pods("Deployment/login-app", "Running")
    expect(running).to_have_count(6)
    expect(p.pods("Deployment/login-app", "Running", node=name)).to_have_count(0)
    assert not (pod_names(running) & victims)
    # Recover: Ready again, taints gone.
    p.page.get_by_role("button", name="Recover", exact=True).click()
    expect(node).to_have_attribute("data-ready", "Ready")
    expect(node.locator(".taint")).to_have_count(0)
    expect(node.locator(".node-reason")).to_be_hidden()


def test_the_header_says_which_timers_are_in_force_and_the_toggle_switches_them(playground):
    p = playground
    note = p.page.locator("#timings-note")
    button = p.page.get_by_role("button", name="Realistic timings")
    expect(note).to_have_text("fast timers: node grace 8s, eviction 5s, termination 2s")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(note).to_have_text("upstream timers: node grace 50s, eviction 300s, termination 30s")
    expect(button).to_have_attribute("aria-pressed", "true")
    assert api(p.server, "GET", "/kubeplay/v1/clock")["realisticTimings"] is True
    button.click()
    expect(note).to_have_text("fast timers: node grace 8s, eviction 5s, termination 2s")
    expect(button).to_have_attribute("aria-pressed", "false")
    assert api(p.server, "GET", "/kubeplay/v1/clock")["realisticTimings"] is False


STATEFUL_AND_DAEMON = """apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  selector:
    app: db
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: db
        image: nginx
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: agent
        image: busybox
        command: ["sh", "-c", "sleep 3600"]
"""


def test_statefulsets_and_daemonsets_are_in_the_workload_strip(playground):
    p = playground
    p.set_speed(10)
    p.type_yaml(STATEFUL_AND_DAEMON)
    p.apply()
    expect(p.message()).to_contain_text("daemonset.apps/agent created")
    sts, ds = card(p, "StatefulSet/db"), card(p, "DaemonSet/agent")
    for c, n in ((sts, "2"), (ds, str(p.server.nodes))):
        expect(c).to_have_attribute("data-desired", n)
        expect(c).to_have_attribute("data-current", n)
        expect(c).to_have_attribute("data-ready", n)
    expect(p.pods("StatefulSet/db", "Running")).to_have_count(2)
    assert pod_names(p.pods("StatefulSet/db")) == {"default/db-0", "default/db-1"}
    expect(p.pods("DaemonSet/agent", "Running")).to_have_count(p.server.nodes)
    for n in p.page.locator("[data-node]").evaluate_all("els => els.map(e => e.dataset.node)"):
        expect(p.pods("DaemonSet/agent", node=n)).to_have_count(1)
    # A StatefulSet rolls without ReplicaSets: its card says how far the update got.
    p.page.evaluate("""() => {
      const seen = window.progress = [];
      const el = document.querySelector('.workload[data-workload="StatefulSet/db"] .wl-progress');
      new MutationObserver(() => { if (!el.hidden) seen.push(el.textContent); })
        .observe(el, { attributes: true, childList: true, characterData: true, subtree: true });
    }""")
    run(p, "kubectl set image statefulset/db db=nginx:1.25")
    expect(sts.locator(".wl-image")).to_have_text("nginx:1.25")
    expect(sts).to_have_attribute("data-updated", "2")
    expect(sts).to_have_attribute("data-ready", "2")
    expect(sts.locator(".wl-progress")).to_be_hidden()
    assert "updated 1 of 2" in p.page.evaluate("window.progress")
    # The headless Service lists the StatefulSet's pods.
    db = p.page.locator('[data-service="default/db"]')
    expect(db.locator(".svc-ip")).to_have_text("headless (no clusterIP)")
    expect(db.locator('[data-endpoint][data-ready="true"]')).to_have_count(2)


def test_add_node_joins_a_node_its_daemonset_pod_follows_and_delete_removes_both(playground):
    p = playground
    p.set_speed(10)
    p.type_yaml(STATEFUL_AND_DAEMON.split("---\n", 1)[1])       # the DaemonSet alone
    p.apply()
    expect(p.message()).to_contain_text("daemonset.apps/agent created")
    ds = card(p, "DaemonSet/agent")
    n = p.server.nodes
    expect(p.pods("DaemonSet/agent", "Running")).to_have_count(n)
    new = f"node-{n + 1}"
    p.page.get_by_role("button", name="Add node").click()
    box = p.page.locator(f'[data-node="{new}"]')
    expect(box).to_have_attribute("data-ready", "Ready")
    expect(p.pods("DaemonSet/agent", "Running", node=new)).to_have_count(1)
    expect(ds).to_have_attribute("data-desired", str(n + 1))
    assert api(p.server, "GET", f"/api/v1/nodes/{new}")["metadata"]["name"] == new
    # Delete it from its details: the Node goes, and the DaemonSet's pod with it.
    box.locator("header").click()
    p.page.get_by_role("button", name="Delete node").click()
    expect(box).to_have_count(0)
    expect(ds).to_have_attribute("data-desired", str(n))
    expect(p.pods("DaemonSet/agent", node=new)).to_have_count(0)
    expect(p.pods("DaemonSet/agent", "Running")).to_have_count(n)
