"""The playground page in real Chromium against a real server: what a learner does and sees.

Waits are on what the page shows (Playwright's auto-waiting expect), never sleeps. Servers run
at --speed 1; a test that needs simulated time to pass quickly uses the page's own speed control.
"""
from __future__ import annotations

import json
import os
import re
import urllib.request

from playwright.sync_api import expect

PAGE_HEADERS = {"X-Kubeplay-Request": "page"}     # what the page sends (webapp/guard.py)

LOGIN = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: login-app
spec:
  replicas: 3
  selector:
    matchLabels:
      app: login
  template:
    metadata:
      labels:
        app: login
    spec:
      containers:
      - name: login
        image: nginx
"""

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def api(server, method: str, path: str, body=None, content_type="application/json"):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(server.url + path, data=data, method=method,
                                 headers={"Content-Type": content_type, "Accept": "application/json", **PAGE_HEADERS})
    with _OPENER.open(req, timeout=10) as r:
        return json.loads(r.read() or b"null")


def pod_names(locator) -> set[str]:
    return set(locator.evaluate_all("els => els.map(e => e.dataset.pod)"))


def test_typing_a_deployment_and_applying_it_runs_three_pods(playground):
    p = playground
    p.type_yaml(LOGIN)
    p.apply()
    expect(p.message()).to_have_text("deployment.apps/login-app created")
    pods = p.pods("Deployment/login-app")
    expect(pods).to_have_count(3)
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(3)
    # Pods are drawn inside the node they run on, and the workload strip has settled.
    expect(p.page.locator("[data-node] [data-pod]")).to_have_count(3)
    card = p.page.locator('[data-workload="Deployment/login-app"].workload')
    expect(card).to_have_attribute("data-ready", "3")
    expect(card).not_to_have_class(re.compile(r"\bconverging\b"))


def test_killing_a_pod_replaces_it(playground):
    p = playground
    p.type_yaml(LOGIN)
    p.apply()
    running = p.pods("Deployment/login-app", "Running")
    expect(running).to_have_count(3)
    before = pod_names(running)
    victim = running.first
    name = victim.get_attribute("data-pod")
    victim.click()
    expect(p.page.locator("#details-title")).to_have_text(f"Pod {name}")
    p.page.get_by_role("button", name="Kill", exact=True).click()
    expect(p.page.locator(f'[data-pod="{name}"]')).to_have_count(0)
    expect(running).to_have_count(3)
    after = pod_names(running)
    assert name not in after
    assert len(after - before) == 1, (before, after)
    # The details panel says the killed pod is gone.
    expect(p.page.locator("#details-body")).to_contain_text("no longer exists")


def test_a_yaml_syntax_error_marks_its_line_and_applies_nothing(playground):
    p = playground
    broken = LOGIN.replace("  replicas: 3\n", "  replicas: 3\n   selector: [oops\n", 1)
    bad_line = broken.splitlines().index("   selector: [oops") + 1
    p.type_yaml(broken)
    p.apply()
    expect(p.message()).to_contain_text(f"line {bad_line}")
    expect(p.message()).to_have_attribute("data-kind", "error")
    panel = p.page.locator("#editor-panel")
    error_lines = panel.get_attribute("data-error-lines")
    assert error_lines and int(error_lines) in (bad_line, bad_line + 1), error_lines
    # CodeMirror draws the diagnostic on that line and a marker in the lint gutter.
    expect(p.page.locator(".cm-line").nth(int(error_lines) - 1).locator(".cm-lintRange-error")).to_have_count(1)
    expect(p.page.locator(".cm-lint-marker-error")).to_have_count(1)
    assert api(p.server, "GET", "/apis/apps/v1/namespaces/default/deployments")["items"] == []
    expect(p.pods()).to_have_count(0)


def test_an_invalid_object_shows_the_apiservers_message(playground):
    p = playground
    p.page.get_by_label("Examples").select_option("invalid")
    expect(p.page.locator(".cm-content")).to_contain_text("name: no-selector")
    p.apply()
    expect(p.message()).to_contain_text("spec.selector: Required value")
    expect(p.message()).to_contain_text('The Deployment "no-selector" is invalid')
    # The refused document is marked in the editor too: spec (selector is missing) and the
    # template labels the selector does not match.
    expect(p.page.locator("#editor-panel")).to_have_attribute("data-error-lines", "6,10")
    expect(p.page.locator(".cm-lint-marker-error")).to_have_count(2)
    assert api(p.server, "GET", "/apis/apps/v1/namespaces/default/deployments")["items"] == []


def test_the_pizza_demo_runs_six_pods_of_three_workloads(playground):
    p = playground
    p.page.get_by_role("button", name="Pizza demo").click()
    expect(p.page.locator("#tour")).to_be_visible()
    for name, n in (("login", 3), ("payment", 2), ("delivery", 1)):
        expect(p.pods(f"Deployment/{name}", "Running")).to_have_count(n)
    expect(p.pods()).to_have_count(6)
    expect(p.page.locator(".workload")).to_have_count(3)
    services = api(p.server, "GET", "/api/v1/namespaces/default/services")["items"]
    ports = {s["metadata"]["name"]: s["spec"]["ports"][0]["port"] for s in services}
    assert {k: ports.get(k) for k in ("login", "payment", "delivery")} == {"login": 80, "payment": 80, "delivery": 80}

    if os.environ.get("KUBEPLAY_SCREENSHOT"):       # the README's picture of the demo
        p.page.screenshot(path=os.environ["KUBEPLAY_SCREENSHOT"])

    # Tour step 1: kill a login pod; a replacement comes, and the tour narrates it.
    login = p.pods("Deployment/login")
    before = pod_names(login)
    p.page.get_by_role("button", name="Kill a login pod").click()
    expect(p.page.locator("#tour-live li").filter(has_text="login")).not_to_have_count(0)
    p.page.wait_for_function(
        "before => { const now = [...document.querySelectorAll('[data-pod][data-workload=\"Deployment/login\"][data-status=Running]')].map(e => e.dataset.pod);"
        " return now.length === 3 && now.some(n => !before.includes(n)); }", arg=sorted(before))

    # Step 3 (skipping the node failure): upgrade payment to 1.2.4 through the editor.
    p.page.get_by_role("button", name="Next step").click()
    p.page.get_by_role("button", name="Next step").click()
    expect(p.page.locator("#tour-title")).to_contain_text("Upgrade payment to 1.2.4")
    p.page.get_by_role("button", name="Upgrade payment").click()
    expect(p.page.locator(".cm-content")).to_contain_text("pizza/payment:1.2.4")
    card = p.page.locator('[data-workload="Deployment/payment"].workload')
    expect(card.locator(".wl-image")).to_have_text("registry.example/pizza/payment:1.2.4")
    expect(card).to_have_attribute("data-ready", "2")
    expect(card).not_to_have_class(re.compile(r"\bconverging\b"))
    expect(p.pods("Deployment/payment")).to_have_count(2)
    images = {api(p.server, "GET", f"/api/v1/namespaces/default/pods/{n.split('/')[1]}")["spec"]["containers"][0]["image"]
              for n in pod_names(p.pods("Deployment/payment"))}
    assert images == {"registry.example/pizza/payment:1.2.4"}


def test_failing_a_node_moves_its_deployment_pods_to_other_nodes(playground):
    p = playground
    p.type_yaml(LOGIN.replace("replicas: 3", "replicas: 6"))
    p.apply()
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(6)
    node = p.page.locator("[data-node]").filter(has=p.page.locator("[data-pod]")).first
    name = node.get_attribute("data-node")
    on_node = p.pods("Deployment/login-app", node=name)
    assert on_node.count() >= 1
    node.locator("header").click()
    expect(p.page.locator("#details-title")).to_have_text(f"Node {name}")
    p.set_speed(10)
    p.page.get_by_role("button", name="Fail", exact=True).click()
    expect(node).to_have_attribute("data-failed", "true")
    expect(node.get_by_text("heartbeats stopped")).to_be_visible()
    expect(node).to_have_attribute("data-ready", re.compile("Unknown|NotReady"))
    # Six Running replicas again, none of them on the failed node.
    expect(p.pods("Deployment/login-app", "Running", node=name)).to_have_count(0)
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(6)
    p.page.get_by_role("button", name="Recover", exact=True).click()
    expect(node).to_have_attribute("data-ready", "Ready")
    expect(node).to_have_attribute("data-failed", "false")


def test_pause_freezes_the_clock_and_step_moves_it(playground):
    p = playground
    page = p.page
    clock = page.locator("#clock")
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.get_by_role("button", name="Resume", exact=True)).to_be_visible()
    frozen = clock.text_content()
    # Wait for two more clock readings from the server: the display must not have moved.
    seen = page.evaluate("window.kubeplay.clock.readings")
    page.wait_for_function(f"window.kubeplay.clock.readings >= {seen + 2}")
    assert clock.text_content() == frozen
    server_now = api(p.server, "GET", "/kubeplay/v1/clock")
    assert server_now["paused"] is True
    # Step advances simulated time by 5 seconds, then stays still again.
    page.get_by_role("button", name="Step", exact=True).click()
    h, m, s = map(int, frozen.split(":"))
    total = (h * 3600 + m * 60 + s + 5) % 86400
    expect(clock).to_have_text(f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}")
    page.get_by_role("button", name="Resume", exact=True).click()
    expect(clock).not_to_have_text(f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}")


def test_the_timings_button_switches_the_server_between_fast_and_realistic(playground):
    p = playground
    page = p.page
    button = page.get_by_role("button", name="Realistic timings")
    note = page.locator("#timings-note")
    expect(note).to_have_text(re.compile("^fast timers: "))
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(note).to_have_text(re.compile("^upstream timers: "))
    expect(button).to_have_attribute("aria-pressed", "true")
    state = api(p.server, "GET", "/kubeplay/v1/clock")
    assert state["realisticTimings"] is True and state["timings"]["nodeMonitorGracePeriod"] == 50
    page.wait_for_function("window.kubeplay.clock.timings.nodeMonitorGracePeriod === 50")
    # A switch made elsewhere (another tab, a script) reaches the page through the stream.
    api(p.server, "POST", "/kubeplay/v1/timings", {"realistic": False})
    expect(note).to_have_text(re.compile("^fast timers: "))
    expect(button).to_have_attribute("aria-pressed", "false")


def test_the_page_recovers_after_the_server_restarts(playground_factory, tmp_path):
    p = playground_factory(state=tmp_path / "state.db")
    p.type_yaml(LOGIN)
    p.apply()
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(3)
    before = pod_names(p.pods("Deployment/login-app"))
    p.server.stop()
    expect(p.page.locator("#conn")).to_have_attribute("data-state", "reconnecting")
    p.server.start()
    # A change made right after the restart, before the page is back, must not be lost.
    api(p.server, "PATCH", "/apis/apps/v1/namespaces/default/deployments/login-app/scale",
        {"spec": {"replicas": 4}}, "application/merge-patch+json")
    expect(p.page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(4)
    assert before <= pod_names(p.pods("Deployment/login-app"))
    # And the stream keeps going: scale down from the page.
    p.page.get_by_role("button", name="scale down login-app").click()
    expect(p.pods("Deployment/login-app")).to_have_count(3)
    assert p.page.evaluate("window.kubeplay.sync.connections") >= 2


def test_object_data_is_shown_as_text_never_as_markup(playground):
    p = playground
    evil = "<img src=x onerror=window.__xss=1>"
    p.type_yaml(LOGIN.replace("      labels:\n        app: login\n",
                              f"      labels:\n        app: login\n      annotations:\n        note: \"{evil}\"\n", 1))
    p.apply()
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(3)
    p.pods("Deployment/login-app").first.click()
    yaml_box = p.page.locator("#details-body details.yaml")
    yaml_box.locator("summary").click()
    expect(yaml_box.locator("pre")).to_contain_text(evil)
    # A label value like that is refused by the apiserver; its message quotes it — as text.
    p.type_yaml(LOGIN.replace("app: login\n    spec:", f"app: login\n        bad: \"{evil}\"\n    spec:", 1))
    p.apply()
    expect(p.message()).to_have_attribute("data-kind", "error")
    expect(p.message()).to_contain_text("<img src=x")
    expect(p.page.locator("img")).to_have_count(0)
    assert p.page.evaluate("window.__xss") is None


def test_the_terminal_runs_kubectl_commands(playground):
    p = playground
    p.type_yaml(LOGIN)
    p.apply()
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(3)
    box = p.page.get_by_label("Command")
    box.fill("kubectl get deployments")
    box.press("Enter")
    out = p.page.locator("#terminal-output .term-out").last
    expect(out).to_contain_text("login-app")
    expect(out).to_contain_text(re.compile(r"READY\s+UP-TO-DATE\s+AVAILABLE"))


def test_an_unschedulable_pod_waits_in_the_pending_lane_with_the_schedulers_reason(playground):
    p = playground
    p.page.get_by_label("Examples").select_option("unschedulable")
    p.apply()
    expect(p.message()).to_have_text("pod/greedy created")
    pod = p.page.locator('#pending-pods [data-pod="default/greedy"]')
    expect(pod).to_have_attribute("data-status", "Pending")
    # kind's layout: the tainted control-plane node counts too (as on a real kind cluster).
    expect(pod).to_have_attribute("data-message", re.compile(
        r"0/4 nodes are available: 1 node\(s\) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
        r"3 Insufficient cpu"))
    expect(pod).to_have_attribute("title", re.compile("Insufficient cpu"))
    expect(p.page.locator("#pending-count")).to_have_text("1")


def test_cordon_uncordon_and_drain_from_the_node_panel(playground):
    p = playground
    p.type_yaml(LOGIN.replace("replicas: 3", "replicas: 4"))
    p.apply()
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(4)
    node = p.page.locator("[data-node]").filter(has=p.page.locator("[data-pod]")).first
    name = node.get_attribute("data-node")
    node.locator("header").click()
    details = p.page.locator("#details")
    details.get_by_role("button", name="Cordon", exact=True).click()
    expect(node).to_have_attribute("data-cordoned", "true")
    expect(node.locator(".badge.cordoned")).to_be_visible()
    details.get_by_role("button", name="Uncordon", exact=True).click()
    expect(node).to_have_attribute("data-cordoned", "false")
    details.get_by_role("button", name="Drain", exact=True).click()
    expect(node).to_have_attribute("data-cordoned", "true")
    expect(p.pods("Deployment/login-app", node=name)).to_have_count(0)
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(4)


def test_plus_and_minus_scale_a_deployment(playground):
    p = playground
    p.type_yaml(LOGIN.replace("replicas: 3", "replicas: 1"))
    p.apply()
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(1)
    p.page.get_by_role("button", name="scale up login-app").click()
    p.page.get_by_role("button", name="scale up login-app").click()
    card = p.page.locator('[data-workload="Deployment/login-app"].workload')
    expect(card).to_have_attribute("data-desired", "3")
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(3)
    p.page.get_by_role("button", name="scale down login-app").click()
    expect(p.pods("Deployment/login-app")).to_have_count(2)
    scale = api(p.server, "GET", "/apis/apps/v1/namespaces/default/deployments/login-app/scale")
    assert scale["spec"]["replicas"] == 2


def test_delete_removes_what_the_editor_declares(playground):
    p = playground
    p.page.get_by_label("Examples").select_option("web")
    p.apply()
    expect(p.message()).to_contain_text("deployment.apps/web created")
    expect(p.message()).to_contain_text("service/web created")
    expect(p.pods("Deployment/web", "Running")).to_have_count(2)
    p.page.get_by_role("button", name="Delete", exact=True).click()
    expect(p.message()).to_contain_text('deployment.apps "web" deleted')
    expect(p.pods("Deployment/web")).to_have_count(0)
    expect(p.page.locator('[data-workload="Deployment/web"].workload')).to_have_count(0)
