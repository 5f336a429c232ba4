"""Issue 9: the page as a lab — the control plane visible and stoppable, at 1400×900 and 1024×700.

Waits are on what the page or the API shows (Playwright's expect, wait_until), never sleeps.
Screenshots go to $KUBEPLAY_SHOTS (default: the test's tmp dir) for people to look at.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_playground import api

SIZE_VALUES = [(1400, 900), (1024, 700)]
SIZES = [pytest.param(size, id=f"{size[0]}x{size[1]}") for size in SIZE_VALUES]

WEB = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
       "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                             "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}


def shot(page, tmp_path, name: str) -> None:
    out = Path(os.environ.get("KUBEPLAY_SHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"{name}.png"))


def mirror_ready(server, component: str) -> bool:
    pod = server.get_json(f"/api/v1/namespaces/kube-system/pods/{component}-kubeplay-control-plane")
    return {c["type"]: c["status"] for c in pod["status"]["conditions"]}["Ready"] == "True"


def web_pods(server) -> list[dict]:
    return server.get_json("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb")["items"]


def test_the_control_plane_is_shown_and_its_static_pods_are_ready(playground, tmp_path):
    # Nothing is done here but looking: one page, checked (and shot) at each size in turn.
    p = playground
    for size in SIZE_VALUES:
        p.page.set_viewport_size({"width": size[0], "height": size[1]})
        strip = p.page.locator("#control-plane")
        expect(strip.locator(".cp-node")).to_have_text("kubeplay-control-plane Ready")
        for comp in ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"):
            expect(strip.locator(f'[data-component="{comp}"]')).to_have_attribute("data-ready", "ready")
        expect(strip.locator(".cp-addons")).to_have_text("kube-system: coredns 2/2 · kube-proxy 4/4")
        # The map keeps to the learner's pods: the worker nodes (as before) and no kube-system pod.
        expect(p.page.locator("[data-node]")).to_have_count(3)
        expect(p.page.locator('[data-pod^="kube-system/"]')).to_have_count(0)
        shot(p.page, tmp_path, f"control-plane-{size[0]}x{size[1]}")


@pytest.mark.parametrize("size", SIZES)
def test_scheduler_stopped_pods_stay_pending_and_started_they_are_scheduled(playground, size, tmp_path):
    p = playground
    p.page.set_viewport_size({"width": size[0], "height": size[1]})
    p.page.get_by_role("button", name="Stop scheduler").click()
    chip = p.page.locator('#control-plane [data-component="kube-scheduler"]')
    expect(chip).to_have_attribute("data-ready", "not-ready")
    expect(p.page.get_by_role("button", name="Start scheduler")).to_be_visible()
    # What kubectl would show: the scheduler's mirror pod 0/1, not Ready.
    p.server.wait_until(lambda: not mirror_ready(p.server, "kube-scheduler"), 20,
                        message="kube-scheduler mirror pod not Ready")
    api(p.server, "POST", "/apis/apps/v1/namespaces/default/deployments", WEB)
    pending = p.page.locator('#pending-pods [data-pod][data-workload="Deployment/web"][data-status="Pending"]')
    expect(pending).to_have_count(2)
    # Created by the ReplicaSet controller, but no node was chosen: nothing bound them.
    assert all(not pod["spec"].get("nodeName") for pod in web_pods(p.server))
    shot(p.page, tmp_path, f"scheduler-stopped-{size[0]}x{size[1]}")
    p.page.get_by_role("button", name="Start scheduler").click()
    expect(p.page.locator('[data-node] [data-pod][data-workload="Deployment/web"][data-status="Running"]')).to_have_count(2)
    expect(p.page.locator("#pending-count")).to_have_text("0")
    expect(chip).to_have_attribute("data-ready", "ready")
    expect(p.page.get_by_role("button", name="Stop scheduler")).to_be_visible()


@pytest.mark.parametrize("size", SIZES)
def test_controller_manager_stopped_a_killed_pod_is_not_replaced_until_it_starts(playground, size, tmp_path):
    p = playground
    p.page.set_viewport_size({"width": size[0], "height": size[1]})
    api(p.server, "POST", "/apis/apps/v1/namespaces/default/deployments", WEB)
    running = p.page.locator('[data-node] [data-pod][data-workload="Deployment/web"][data-status="Running"]')
    expect(running).to_have_count(2)
    p.page.get_by_role("button", name="Stop controller manager").click()
    expect(p.page.locator('#control-plane [data-component="kube-controller-manager"]')).to_have_attribute(
        "data-ready", "not-ready")
    p.server.wait_until(lambda: not mirror_ready(p.server, "kube-controller-manager"), 20,
                        message="kube-controller-manager mirror pod not Ready")
    victim = running.first.get_attribute("data-pod")
    p.page.locator(f'[data-pod="{victim}"]').click()
    p.page.get_by_role("button", name="Kill", exact=True).click()
    # The kubelet still stops it and confirms the deletion; a running ReplicaSet controller would
    # have made its replacement as soon as the pod was marked for deletion, long before that.
    expect(p.page.locator(f'[data-pod="{victim}"]')).to_have_count(0)
    expect(p.page.locator('[data-pod][data-workload="Deployment/web"]')).to_have_count(1)
    assert len(web_pods(p.server)) == 1
    shot(p.page, tmp_path, f"controller-manager-stopped-{size[0]}x{size[1]}")
    p.page.get_by_role("button", name="Start controller manager").click()
    # Level-triggered: it lists the ReplicaSet, sees 1 of 2 and creates the missing pod.
    expect(running).to_have_count(2)
    expect(p.page.get_by_role("button", name="Stop controller manager")).to_be_visible()


def test_control_plane_endpoint_takes_json_only(playground):
    srv = playground.server
    import urllib.error
    import urllib.request
    req = urllib.request.Request(srv.url + "/kubeplay/v1/control-plane", data=b"component=kube-scheduler&running=false",
                                 method="POST", headers={"Content-Type": "application/x-www-form-urlencoded",
                                                         "X-Kubeplay-Request": "page"})
    # Even with the page's header, the page's endpoints take JSON only (webapp/guard.py): 415.
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=10)
    e.value.close()
    assert e.value.code == 415
    assert srv.get_json("/kubeplay/v1/control-plane")["components"] == [
        {"name": "kube-scheduler", "running": True}, {"name": "kube-controller-manager", "running": True}]


# ---- item 3: a log that tells a story ------------------------------------------------------------

LOGIN_SVC = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "login", "namespace": "default"},
             "spec": {"selector": {"app": "login"}, "ports": [{"port": 80, "targetPort": 80}]}}


def groups(page) -> list[dict]:
    """The log's groups in page order: the head line, the effect lines, the keys it touched."""
    return page.locator("#log-list > li.group").evaluate_all("""els => els.map(g => ({
        head: g.querySelector(':scope > .line').innerText,
        time: g.querySelector(':scope > .line time').textContent,
        effects: [...g.querySelectorAll(':scope > .effects > .line')].map(l => l.innerText),
        keys: (g.dataset.keys || '').split(' '),
        hidden: g.hidden }))""")


def group_with(page, text: str) -> dict:
    found = [g for g in groups(page) if text in g["head"]]
    assert found, f"no log group headed by {text!r}: {[g['head'] for g in groups(page)]}"
    return found[-1]


def index_of(lines: list[str], text: str) -> int:
    for i, line in enumerate(lines):
        if text in line:
            return i
    raise AssertionError(f"{text!r} not in {lines}")


@pytest.mark.parametrize("size", SIZES)
def test_the_log_reads_oldest_to_newest_with_effects_under_their_cause(playground, size, tmp_path):
    from tests.browser.test_playground import LOGIN
    p = playground
    p.page.set_viewport_size({"width": size[0], "height": size[1]})
    p.type_yaml(LOGIN)
    p.apply()
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(3)
    log = p.page.locator("#log-list")
    expect(log.locator("li.group").filter(has_text="apply Deployment default/login-app")
           .locator(".effects .line").filter(has_text="Pending → Running")).to_have_count(3)
    g = group_with(p.page, "apply Deployment default/login-app")
    assert "asked by the page" in g["head"], g
    lines = g["effects"]
    # The cause first, then what it caused, in the order it happened.
    first_create = index_of(lines, "creating 3 pods")
    assert index_of(lines, "new ReplicaSet") < first_create < index_of(lines, "Created pod:") \
        < index_of(lines, "Successfully assigned default/login-app-") < index_of(lines, "Started container")
    # Oldest at the top, newest at the bottom.
    times = [x["time"] for x in groups(p.page)]
    assert times == sorted(times), times
    assert groups(p.page)[-1]["head"] == g["head"] or g["time"] <= times[-1]

    # A killed pod: the request and the ReplicaSet's answer in one story; endpoint bookkeeping
    # for the Service is one line there, not one per controller and change.
    api(p.server, "POST", "/api/v1/namespaces/default/services", LOGIN_SVC)
    victim = p.pods("Deployment/login-app", "Running").first.get_attribute("data-pod")
    p.page.locator(f'[data-pod="{victim}"]').click()
    p.page.get_by_role("button", name="Kill", exact=True).click()
    kill = log.locator("li.group").filter(has_text=f"delete Pod {victim}")
    expect(kill.locator(".effects .line").filter(has_text="creating 1 pod")).to_have_count(1)
    expect(kill.locator(".effects .line").filter(has_text="Pending → Running")).to_have_count(1)
    expect(kill.locator(".effects .line.fold").filter(has_text="Service default/login")).to_have_count(1)
    k = group_with(p.page, f"delete Pod {victim}")
    assert "asked by the page" in k["head"]
    assert not [x for x in k["effects"] if "endpointslice-controller" in x or "endpoint-controller" in x], k
    shot(p.page, tmp_path, f"log-story-{size[0]}x{size[1]}")


def test_the_log_follows_new_lines_unless_scrolled_up(playground):
    from tests.browser.test_playground import LOGIN
    p = playground
    p.page.set_viewport_size({"width": 1024, "height": 700})
    p.type_yaml(LOGIN)
    p.apply()
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(3)
    log = p.page.locator("#log-list")
    at_bottom = "el => el.scrollHeight - el.scrollTop - el.clientHeight < 8"
    p.page.wait_for_function(f"() => ({at_bottom})(document.querySelector('#log-list'))")
    assert log.evaluate("el => el.scrollHeight > el.clientHeight"), "the log should overflow by now"
    # Scrolled up to read: new lines do not pull the list down.
    log.evaluate("el => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); }")
    p.page.get_by_role("button", name="scale up login-app").click()
    expect(log.locator("li.group").filter(has_text="scale Deployment default/login-app: 3 → 4 replicas")).to_have_count(1)
    assert log.evaluate("el => el.scrollTop") == 0
    # Back at the bottom: it follows again.
    log.evaluate("el => { el.scrollTop = el.scrollHeight; el.dispatchEvent(new Event('scroll')); }")
    p.page.get_by_role("button", name="scale down login-app").click()
    expect(log.locator("li.group").filter(has_text="scale Deployment default/login-app: 4 → 3 replicas")).to_have_count(1)
    p.page.wait_for_function(f"() => ({at_bottom})(document.querySelector('#log-list'))")


@pytest.mark.parametrize("size", SIZES)
def test_clicking_a_pod_filters_the_log_to_its_story_and_requests_say_who_asked(playground, size, tmp_path):
    from tests.browser.test_playground import LOGIN
    p = playground
    p.page.set_viewport_size({"width": size[0], "height": size[1]})
    p.type_yaml(LOGIN)
    p.apply()
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(3)
    pod = p.pods("Deployment/login-app", "Running").first.get_attribute("data-pod")
    p.page.locator(f'[data-pod="{pod}"]').click()
    expect(p.page.locator("#log-filter")).to_contain_text(f"the story of pod {pod}")
    visible = [g for g in groups(p.page) if not g["hidden"]]
    assert visible and all(pod in g["keys"] for g in visible), visible
    story = "\n".join(g["head"] + "\n" + "\n".join(g["effects"]) for g in visible)
    name = pod.split("/")[1]
    for text in (f"Created pod: {name}", f"Successfully assigned {pod} to", f"Pod {pod} on node-"):
        assert text in story, story
    shot(p.page, tmp_path, f"log-pod-story-{size[0]}x{size[1]}")
    p.page.locator("#log-filter").get_by_role("button", name="Show all").click()
    expect(p.page.locator("#log-filter")).to_be_hidden()
    assert all(not g["hidden"] for g in groups(p.page))

    # Who asked: kubectl's scale and the page's cordon and drain are lines of the log.
    p.server.kubectl("scale", "deployment", "login-app", "--replicas=4")
    scale = p.page.locator("#log-list li.group").filter(has_text="scale Deployment default/login-app: 3 → 4 replicas")
    expect(scale).to_contain_text("asked by kubectl")
    p.page.locator('[data-node="node-1"] [data-node-header]').click()
    p.page.get_by_role("button", name="Cordon", exact=True).click()
    cordon = p.page.locator("#log-list li.group").filter(has_text="cordon Node node-1")
    expect(cordon).to_contain_text("asked by the page")
    p.page.get_by_role("button", name="Drain", exact=True).click()
    expect(p.page.locator("#log-list li.group").filter(has_text="drain Node node-1")).to_contain_text("asked by the page")


# ---- item 1: the map in front --------------------------------------------------------------------

OVERLAPS = """([boxSel, podSel]) => {
  const box = document.querySelector(boxSel).getBoundingClientRect();
  return [...document.querySelectorAll(podSel)].filter(p => {
    const r = p.getBoundingClientRect();
    return r.width && r.left < box.right && r.right > box.left && r.top < box.bottom && r.bottom > box.top;
  }).map(p => p.dataset.pod);
}"""

OUTSIDE = """() => {
  const view = document.querySelector('#cluster').getBoundingClientRect();
  const top = Math.max(0, view.top), bottom = Math.min(window.innerHeight, view.bottom);
  return [...document.querySelectorAll('[data-node] [data-pod]')].filter(p => {
    const r = p.getBoundingClientRect();
    return !(r.top >= top && r.bottom <= bottom && r.left >= 0 && r.right <= window.innerWidth);
  }).map(p => p.dataset.pod);
}"""


def start_pizza(p):
    p.page.get_by_role("button", name="Pizza demo").click()
    expect(p.page.locator("#tour")).to_be_visible()
    pizza = p.page.locator('[data-node] [data-pod][data-status="Running"]')
    p.page.wait_for_function("() => document.querySelectorAll('[data-node] [data-pod][data-status=Running]').length >= 6")
    return pizza


@pytest.mark.parametrize("size", SIZES)
def test_the_pizza_pods_are_all_in_view_and_the_tour_covers_none(playground, size, tmp_path):
    p = playground
    p.page.set_viewport_size({"width": size[0], "height": size[1]})
    start_pizza(p)
    assert p.page.evaluate(OVERLAPS, ["#tour", "[data-pod]"]) == []
    if size == (1400, 900):
        assert p.page.evaluate(OUTSIDE) == []
    shot(p.page, tmp_path, f"pizza-{size[0]}x{size[1]}")
    # The tour's first step kills a login pod: that pod is on screen when it acts, and the tour
    # panel covers no pod while the replacement comes.
    p.page.locator("#tour-action").click()
    expect(p.page.locator("#log-list li.group").filter(has_text="delete Pod default/login-")).to_have_count(1)
    assert p.page.evaluate(OVERLAPS, ["#tour", "[data-pod]"]) == []
    p.page.locator("#tour-next").click()
    p.page.locator("#tour-action").click()
    expect(p.page.locator('[data-node][data-failed="true"]')).to_have_count(1)
    failed = p.page.locator('[data-node][data-failed="true"]')
    box = failed.bounding_box()
    assert box and box["y"] >= 0 and box["y"] < size[1], box
    assert p.page.evaluate(OVERLAPS, ["#tour", "[data-pod]"]) == []


def test_map_and_log_side_by_side_on_a_laptop(playground, tmp_path):
    # A layout check: the demo started once, the layout measured (and shot) at each laptop size.
    p = playground
    p.page.set_viewport_size({"width": 1280, "height": 800})
    start_pizza(p)
    for size in [(1280, 800), (1024, 700)]:
        p.page.set_viewport_size({"width": size[0], "height": size[1]})
        cluster = p.page.locator("#cluster").bounding_box()
        log = p.page.locator("#log").bounding_box()
        assert cluster["x"] + cluster["width"] <= log["x"] + 1, (size, cluster, log)
        # Both on screen together (the tour panel sits above the log in the same column).
        assert cluster["y"] < 150 and cluster["y"] + cluster["height"] <= size[1] + 1, (size, cluster)
        assert log["height"] >= 250 and log["y"] + log["height"] <= size[1] + 1, (size, log)
        # The log scrolls inside its panel rather than growing the page.
        assert p.page.locator("#log-list").evaluate("el => el.clientHeight > 100")
        shot(p.page, tmp_path, f"side-by-side-{size[0]}x{size[1]}")


# ---- item 8: the details panel -----------------------------------------------------------------

def no_horizontal_overflow(page) -> bool:
    return page.locator("#details-body").evaluate("el => el.scrollWidth <= el.clientWidth + 1")


@pytest.mark.parametrize("size", SIZES)
def test_details_owner_chain_deployment_actions_and_schedulable_taints(playground, size, tmp_path):
    from tests.browser.test_playground import LOGIN
    p = playground
    p.page.set_viewport_size({"width": size[0], "height": size[1]})
    p.type_yaml(LOGIN)
    p.apply()
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(3)
    rs1 = p.pods("Deployment/login-app").first.get_attribute("data-rs")
    # A pod: its owner chain, Deployment → ReplicaSet.
    p.pods("Deployment/login-app").first.click()
    details = p.page.locator("#details")
    expect(details.locator("dd").filter(has_text="→")).to_have_text(f"Deployment login-app → ReplicaSet {rs1}")
    assert no_horizontal_overflow(p.page)
    shot(p.page, tmp_path, f"details-pod-{size[0]}x{size[1]}")

    # A Deployment: Edit puts its live desired state in the editor; Restart rolls new pods;
    # Roll back returns to the previous template (kubectl rollout undo).
    p.page.locator('[data-workload="Deployment/login-app"].workload .wl-name').click()
    expect(p.page.locator("#details-title")).to_have_text("Deployment default/login-app")
    p.page.get_by_role("button", name="Edit", exact=True).click()
    content = p.page.locator(".cm-content")
    expect(content).to_contain_text("name: login-app")
    text = content.inner_text()
    for absent in ("resourceVersion", "uid:", "status:", "creationTimestamp", "deployment.kubernetes.io/revision"):
        assert absent not in text, text
    assert "replicas: 3" in text and "image: nginx" in text
    expect(p.page.get_by_role("button", name="Roll back")).to_be_disabled()
    p.page.get_by_role("button", name="Restart", exact=True).click()
    rows = details.locator("table.replicasets tbody tr")
    expect(rows).to_have_count(2)
    expect(p.pods("Deployment/login-app", "Running").and_(p.page.locator(f'[data-rs]:not([data-rs="{rs1}"])'))).to_have_count(3)
    dep = p.server.get_json("/apis/apps/v1/namespaces/default/deployments/login-app")
    assert "kubectl.kubernetes.io/restartedAt" in dep["spec"]["template"]["metadata"]["annotations"]
    p.page.get_by_role("button", name="Roll back").click()
    # The first ReplicaSet's template is current again: it becomes revision 3 and runs the pods.
    p.server.wait_until(lambda: p.server.get_json(f"/apis/apps/v1/namespaces/default/replicasets/{rs1}")
                        ["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3", 30,
                        message="the first ReplicaSet back as revision 3")
    expect(p.page.locator(f'[data-pod][data-rs="{rs1}"][data-status="Running"]')).to_have_count(3)
    assert no_horizontal_overflow(p.page)
    shot(p.page, tmp_path, f"details-deployment-{size[0]}x{size[1]}")

    # A node tainted NoSchedule is not simply "schedulable".
    p.server.kubectl("taint", "node", "node-2", "dedicated=gpu:NoSchedule")
    p.page.locator('[data-node="node-2"] [data-node-header]').click()
    fact = details.locator("dt", has_text="Schedulable").locator("xpath=following-sibling::dd[1]")
    expect(fact).to_have_text("only pods tolerating dedicated=gpu:NoSchedule")
    p.page.locator('[data-node="node-1"] [data-node-header]').click()
    expect(fact).to_have_text("yes")


def test_a_pods_story_hides_its_siblings_lines(playground):
    from tests.browser.test_playground import LOGIN
    p = playground
    p.type_yaml(LOGIN)
    p.apply()
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(3)
    pods = sorted(p.pods("Deployment/login-app").evaluate_all("els => els.map(e => e.dataset.pod)"))
    p.page.locator(f'[data-pod="{pods[0]}"]').click()
    expect(p.page.locator("#log-filter")).to_be_visible()
    shown = p.page.locator("#log-list li.group:not([hidden]) .line:not([hidden])").all_inner_texts()
    text = "\n".join(shown)
    assert f"Created pod: {pods[0].split('/')[1]}" in text, text
    for other in pods[1:]:
        assert other.split("/")[1] not in text, text
