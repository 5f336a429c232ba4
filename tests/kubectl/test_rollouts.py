"""Issue 4, rollouts through the real kubectl: the ScalingReplicaSet story a 3-replica rolling
update prints, `rollout status` ending on its own, history with change causes and revision
limits, undo to a chosen revision, pause/resume, maxSurge/maxUnavailable percent rounding and
the Recreate strategy (k8s-semantics.md §3.1, kubectl-wire.md §5)."""
from __future__ import annotations

import datetime as dt
import json
import re
import time

from watchlines import WatchLines


COMBINED = "(combined from similar events): "
SCALED = re.compile(r"^Scaled (up|down) replica set (\S+) to (\d+)(?: from (\d+))?$")


def create_web(kube, replicas=3, image="nginx"):
    out = kube("create", "deployment", "web", f"--image={image}", f"--replicas={replicas}")
    assert out.stdout == "deployment.apps/web created\n", out.stdout + out.stderr
    names = kube.wait_running("app=web", replicas)
    kube.wait_rolled_out("web")
    return names


def clock(kube, **body) -> dict:
    return kube.server.post_json("/kubeplay/v1/clock", body)


def replicasets(kube, selector="app=web") -> list[dict]:
    return kube.server.get_json(f"/apis/apps/v1/namespaces/{kube.ns}/replicasets?labelSelector={selector}")["items"]


def rs_name_for(kube, image: str, selector="app=web") -> str:
    names = [r["metadata"]["name"] for r in replicasets(kube, selector)
             if r["spec"]["template"]["spec"]["containers"][0]["image"] == image]
    assert len(names) == 1, (image, [(r["metadata"]["name"], r["spec"]["template"]["spec"]["containers"][0]["image"])
                                     for r in replicasets(kube, selector)])
    return names[0]


def scaling_messages(kube, deployment="web") -> list[str]:
    """The Deployment's ScalingReplicaSet messages as `kubectl get events` lists them."""
    header, rows = kube.table("get", "events", "--field-selector",
                              f"involvedObject.kind=Deployment,involvedObject.name={deployment}")
    assert header == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], header
    for r in rows:
        assert r["OBJECT"] == f"deployment/{deployment}", r
    return [r["MESSAGE"] for r in rows if r["REASON"] == "ScalingReplicaSet"]


def history_rows(kube, deployment="web") -> list[tuple[str, str]]:
    out = kube("rollout", "history", f"deployment/{deployment}").stdout
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert lines[0].strip() == f"deployment.apps/{deployment}", out
    header, rows = kube.parse_table("\n".join(lines[1:]))
    assert header == ["REVISION", "CHANGE-CAUSE"], out
    return [(r["REVISION"], r["CHANGE-CAUSE"]) for r in rows]


def live_images(kube, selector="app=web") -> set[str]:
    return {p["spec"]["containers"][0]["image"] for p in kube.pods(selector) if kube.is_live(p)}


def replay(messages, sizes: dict[str, int], *, max_total: int):
    """Apply each `Scaled ...` message to `sizes`, checking that every `from N` is the size the
    previous events left and that the sum never exceeds replicas + maxSurge.

    From its tenth distinct message in 600 s, a component's Events about one object (of one type
    and reason) are one "(combined from similar events): ..." Event carrying the newest message, as
    client-go's EventCorrelator makes them: the steps folded into it are not listed, so only the
    size it ends at is taken from it."""
    for i, msg in enumerate(messages):
        combined = msg.startswith(COMBINED)
        if combined:
            assert i == len(messages) - 1 and i >= 9, f"{msg!r} before the tenth message or not last: {messages}"
            msg = msg[len(COMBINED):]
        m = SCALED.match(msg)
        assert m, msg
        direction, rs, to, frm = m.group(1), m.group(2), int(m.group(3)), m.group(4)
        if combined:
            sizes[rs] = to
            continue
        before = sizes.get(rs, 0)
        if frm is None:
            assert before == 0 and direction == "up", f"{msg!r}: only a new ReplicaSet's first event has no 'from'"
        else:
            assert int(frm) == before, f"{msg!r} but the earlier events left {rs} at {before}: {messages}"
        assert (direction == "up") == (to > before), msg
        sizes[rs] = to
        assert sum(sizes.values()) <= max_total, f"after {msg!r} the ReplicaSets hold {sizes} > {max_total}"
    return sizes


# ---- the rolling update story ------------------------------------------------------------------

def test_a_three_replica_rolling_update_prints_the_upstream_scaling_sequence(kube_shared):
    kube = kube_shared
    create_web(kube, image="nginx:1.24")
    old = rs_name_for(kube, "nginx:1.24")
    assert scaling_messages(kube) == [f"Scaled up replica set {old} to 3"]

    out = kube("set", "image", "deployment/web", "nginx=nginx:1.25")
    assert out.stdout == "deployment.apps/web image updated\n"
    kube.wait_rolled_out("web")
    new = rs_name_for(kube, "nginx:1.25")
    assert re.fullmatch(rf"web-{kube.HASH}", new) and new != old

    want = [
        f"Scaled up replica set {old} to 3",
        f"Scaled up replica set {new} to 1",
        f"Scaled down replica set {old} to 2 from 3",
        f"Scaled up replica set {new} to 2 from 1",
        f"Scaled down replica set {old} to 1 from 2",
        f"Scaled up replica set {new} to 3 from 2",
        f"Scaled down replica set {old} to 0 from 1",
    ]
    kube.server.wait_until(lambda: len(scaling_messages(kube)) >= len(want), 10, message="7 ScalingReplicaSet events")
    assert scaling_messages(kube) == want

    # describe shows the same story in its Events table (its order is by timestamp, so compare as a set).
    text = kube("describe", "deployment", "web").stdout
    shown = re.findall(r"^\s+Normal\s+ScalingReplicaSet\s+.*?\s+deployment-controller\s+(Scaled .*)$", text, re.M)
    assert sorted(shown) == sorted(want), text
    assert re.search(rf"^OldReplicaSets:\s+{old} \(0/0 replicas created\)$", text, re.M), text
    assert re.search(rf"^NewReplicaSet:\s+{new} \(3/3 replicas created\)$", text, re.M), text
    _, rows = kube.table("get", "rs")
    assert sorted((r["NAME"], r["DESIRED"], r["CURRENT"], r["READY"]) for r in rows) == \
        sorted([(old, "0", "0", "0"), (new, "3", "3", "3")])
    # Revision bookkeeping and the conditions of a finished rollout.
    annotations = {r["metadata"]["name"]: r["metadata"]["annotations"] for r in replicasets(kube)}
    for rs, rev in ((old, "1"), (new, "2")):
        a = annotations[rs]
        assert (a["deployment.kubernetes.io/revision"], a["deployment.kubernetes.io/desired-replicas"],
                a["deployment.kubernetes.io/max-replicas"]) == (rev, "3", "4"), (rs, a)
    d = kube.deployment("web")
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    conds = {c["type"]: (c["status"], c["reason"], c["message"]) for c in d["status"]["conditions"]}
    assert conds == {"Available": ("True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
                     "Progressing": ("True", "NewReplicaSetAvailable", f'ReplicaSet "{new}" has successfully progressed.')}


def test_rollout_status_follows_a_rolling_update_and_exits_by_itself(kube_shared):
    """`rollout status` must end with success as soon as the rollout completes — well before the
    20 s --request-timeout the harness gives every kubectl call (a report says it hangs until then)."""
    kube = kube_shared
    create_web(kube)
    kube("set", "image", "deployment/web", "nginx=nginx:1.25")
    started = time.monotonic()
    out = kube("rollout", "status", "deployment/web", "--timeout=60s", "-v=6", check=False, timeout=40)
    elapsed = time.monotonic() - started
    requests = [ln.split("round_trippers.go:", 1)[1] for ln in out.stderr.splitlines() if "round_trippers.go:" in ln]
    detail = f"rc={out.returncode} after {elapsed:.1f}s\n--- stdout\n{out.stdout}--- requests\n" + "\n".join(requests)
    assert out.returncode == 0, detail
    assert out.stdout.splitlines()[-1] == 'deployment "web" successfully rolled out', detail
    assert elapsed < 15, f"rollout status took {elapsed:.1f}s to notice a finished rollout\n{detail}"
    for line in out.stdout.splitlines()[:-1]:
        assert re.fullmatch(
            r'Waiting for deployment "web" rollout to finish: (\d out of 3 new replicas have been updated'
            r'|\d old replicas are pending termination|\d of 3 updated replicas are available)\.\.\.'
            r'|Waiting for deployment spec update to be observed\.\.\.', line), detail
    # The wire sequence of kubectl-wire.md §5: GET the deployment, then a watch by name.
    base = rf"GET http://127\.0\.0\.1:\d+/apis/apps/v1/namespaces/{kube.ns}/deployments"
    assert any(re.search(rf"{base}/web\?", r) for r in requests), detail
    # (At 20x a loaded machine can let the rollout finish before kubectl lists: then its list is
    # the whole answer and there is nothing left to watch.)
    if len(out.stdout.splitlines()) > 1:
        assert any(re.search(rf"{base}\?.*fieldSelector=metadata\.name%3Dweb.*watch=true", r) for r in requests), \
            detail
    assert kube.deployment("web")["status"]["updatedReplicas"] == 3


def test_rollout_status_on_a_finished_deployment_returns_at_once(kube_shared):
    kube = kube_shared
    create_web(kube, replicas=2)
    started = time.monotonic()
    out = kube("rollout", "status", "deployment/web", "--timeout=30s", timeout=40)
    assert out.stdout == 'deployment "web" successfully rolled out\n'
    assert time.monotonic() - started < 10


# ---- history, change causes, undo ----------------------------------------------------------------

def test_rollout_history_lists_revisions_with_their_change_causes(kube_shared):
    kube = kube_shared
    create_web(kube, image="nginx:1.24")
    cause = "kubernetes.io/change-cause"
    assert kube("annotate", "deployment/web", f"{cause}=create web on 1.24").stdout == "deployment.apps/web annotated\n"
    kube("set", "image", "deployment/web", "nginx=nginx:1.25")
    # As the docs do it: annotate after `set image`; the controller copies the new cause to the new RS.
    kube("annotate", "deployment/web", "--overwrite", f"{cause}=image updated to 1.25")
    kube.wait_rolled_out("web")
    kube("set", "image", "deployment/web", "nginx=nginx:1.26")
    kube("annotate", "deployment/web", "--overwrite", f"{cause}=image updated to 1.26")
    kube.wait_rolled_out("web")

    def rows():
        got = history_rows(kube)
        assert got == [("1", "create web on 1.24"), ("2", "image updated to 1.25"), ("3", "image updated to 1.26")], got
        return got
    kube.server.wait_until(rows, 10, message="three revisions with their causes")

    out = kube("rollout", "history", "deployment/web", "--revision=2").stdout
    assert out.splitlines()[0] == "deployment.apps/web with revision #2", out
    assert re.search(r"^Pod Template:$", out, re.M), out
    assert re.search(r"^\s+Image:\s+nginx:1\.25$", out, re.M), out
    missing = kube("rollout", "history", "deployment/web", "--revision=9", check=False)
    assert missing.returncode == 1
    assert missing.stderr == "error: unable to find the specified revision\n", missing.stderr


def test_rollout_undo_to_a_revision_returns_to_that_template_and_renumbers_it(kube_shared):
    kube = kube_shared
    create_web(kube, image="nginx:1.24")
    first = rs_name_for(kube, "nginx:1.24")
    for image in ("nginx:1.25", "nginx:1.26"):
        kube("set", "image", "deployment/web", f"nginx={image}")
        kube.wait_rolled_out("web")
    assert [r for r, _ in history_rows(kube)] == ["1", "2", "3"]

    out = kube("rollout", "undo", "deployment/web", "--to-revision=1")
    assert out.stdout == "deployment.apps/web rolled back\n"
    out = kube("rollout", "status", "deployment/web", "--timeout=40s", timeout=50)
    assert out.stdout.splitlines()[-1] == 'deployment "web" successfully rolled out'
    kube.wait_running("app=web", 3)
    kube.server.wait_until(lambda: live_images(kube) == {"nginx:1.24"}, 10, message="pods back on nginx:1.24")
    d = kube.deployment("web")
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.24"
    assert "pod-template-hash" not in d["spec"]["template"]["metadata"]["labels"]
    # The original ReplicaSet is reused (no new one) and becomes revision 4.
    assert rs_name_for(kube, "nginx:1.24") == first
    assert [r for r, _ in history_rows(kube)] == ["2", "3", "4"]
    rs = kube.server.get_json(f"/apis/apps/v1/namespaces/{kube.ns}/replicasets/{first}")
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "4"
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "4"

    # Undo with no argument goes back one revision (to 3, nginx:1.26).
    assert kube("rollout", "undo", "deployment/web").stdout == "deployment.apps/web rolled back\n"
    kube.wait_rolled_out("web")
    kube.server.wait_until(lambda: live_images(kube) == {"nginx:1.26"}, 20, message="pods on nginx:1.26")
    missing = kube("rollout", "undo", "deployment/web", "--to-revision=42", check=False)
    assert missing.returncode == 1
    assert missing.stderr == "error: unable to find specified revision 42 in history\n", missing.stderr


def test_revision_history_limit_deletes_the_oldest_zero_replica_sets(kube_shared):
    kube = kube_shared
    create_web(kube, replicas=2, image="nginx:1.24")
    kube("patch", "deployment/web", "-p", '{"spec":{"revisionHistoryLimit":1}}')
    for image in ("nginx:1.25", "nginx:1.26", "nginx:1.27"):
        kube("set", "image", "deployment/web", f"nginx={image}")
        kube.wait_rolled_out("web")

    def two_left():
        images = sorted(r["spec"]["template"]["spec"]["containers"][0]["image"] for r in replicasets(kube))
        assert images == ["nginx:1.26", "nginx:1.27"], images
        return images
    kube.server.wait_until(two_left, 10, message="only the current and one old ReplicaSet kept")
    assert [r for r, _ in history_rows(kube)] == ["3", "4"]


# ---- pause / resume --------------------------------------------------------------------------------

def test_a_paused_deployment_batches_changes_refuses_undo_and_rolls_out_once_on_resume(kube_shared):
    kube = kube_shared
    create_web(kube, image="nginx:1.24")
    kube("set", "image", "deployment/web", "nginx=nginx:1.25")
    kube.wait_rolled_out("web")
    assert kube("rollout", "pause", "deployment/web").stdout == "deployment.apps/web paused\n"

    def paused_condition():
        conds = {c["type"]: c for c in kube.deployment("web")["status"].get("conditions", [])}
        c = conds["Progressing"]
        assert (c["status"], c["reason"], c["message"]) == ("Unknown", "DeploymentPaused", "Deployment is paused"), c
        return c
    kube.server.wait_until(paused_condition, 10, message="Progressing=Unknown DeploymentPaused")

    kube("set", "image", "deployment/web", "nginx=nginx:1.26")
    assert kube("set", "env", "deployment/web", "COLOR=blue").stdout == "deployment.apps/web env updated\n"
    out = kube("rollout", "undo", "deployment/web", check=False)
    assert out.returncode == 1
    assert out.stderr == ("error: you cannot rollback a paused deployment; resume it first with "
                          "'kubectl rollout resume' and try again\n"), out.stderr
    # While paused nothing rolls: rollout status waits and gives up at its --timeout.
    out = kube("rollout", "status", "deployment/web", "--timeout=2s", check=False, timeout=30)
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stdout.splitlines()[0] == \
        'Waiting for deployment "web" rollout to finish: 0 out of 3 new replicas have been updated...', out.stdout
    assert out.stderr.splitlines()[-1] == "error: timed out waiting for the condition", out.stderr
    assert len(replicasets(kube)) == 2 and live_images(kube) == {"nginx:1.25"}

    assert kube("rollout", "resume", "deployment/web").stdout == "deployment.apps/web resumed\n"
    out = kube("rollout", "status", "deployment/web", "--timeout=40s", timeout=50)
    assert out.stdout.splitlines()[-1] == 'deployment "web" successfully rolled out'
    kube.server.wait_until(lambda: live_images(kube) == {"nginx:1.26"}, 10, message="pods on nginx:1.26")
    # Two edits while paused → one new revision.
    assert [r for r, _ in history_rows(kube)] == ["1", "2", "3"]
    env = kube.deployment("web")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "COLOR", "value": "blue"}]
    conds = {c["type"]: c for c in kube.deployment("web")["status"]["conditions"]}
    assert (conds["Progressing"]["status"], conds["Progressing"]["reason"]) == ("True", "NewReplicaSetAvailable")


# ---- strategies --------------------------------------------------------------------------------------

def deployment_yaml(name, replicas, strategy: dict, image="nginx:1.24") -> str:
    return json.dumps({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": replicas, "strategy": strategy, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "nginx", "image": image}]}}}})


def test_percentages_round_surge_up_and_unavailable_down(kube_shared):
    """10 replicas at 25%/25%: maxSurge = ceil(2.5) = 3, maxUnavailable = floor(2.5) = 2."""
    kube = kube_shared
    kube("apply", "-f", "-", input=deployment_yaml("ten", 10, {"type": "RollingUpdate", "rollingUpdate": {
        "maxSurge": "25%", "maxUnavailable": "25%"}}))
    kube.wait_running("app=ten", 10, timeout=60)
    kube.wait_rolled_out("ten", timeout=30)
    old = rs_name_for(kube, "nginx:1.24", "app=ten")
    text = kube("describe", "deployment", "ten").stdout
    assert re.search(r"^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$", text, re.M), text

    kube("set", "image", "deployment/ten", "nginx=nginx:1.25")
    kube.wait_rolled_out("ten", timeout=60)
    new = rs_name_for(kube, "nginx:1.25", "app=ten")
    msgs = scaling_messages(kube, "ten")
    assert msgs[:3] == [f"Scaled up replica set {old} to 10", f"Scaled up replica set {new} to 3",
                        f"Scaled down replica set {old} to 8 from 10"], msgs
    sizes = replay(msgs, {}, max_total=13)
    if msgs[-1].startswith(COMBINED):
        # Steps folded into the combined Event are not listed (the other set's last ones may be
        # among them): its newest step must be where its set is, and the sets say where they ended.
        ended = {r["metadata"]["name"]: r["spec"]["replicas"] for r in replicasets(kube, "app=ten")}
        last = SCALED.match(msgs[-1][len(COMBINED):])
        assert last and ended[last.group(2)] == int(last.group(3)), (ended, msgs)
        sizes = ended
    assert sizes == {old: 0, new: 10}, (sizes, msgs)


def test_max_surge_zero_scales_the_old_set_down_first(kube_shared):
    """4 replicas, maxSurge 0, maxUnavailable 2: the old set shrinks before the new one grows."""
    kube = kube_shared
    kube("apply", "-f", "-", input=deployment_yaml("lean", 4, {"type": "RollingUpdate", "rollingUpdate": {
        "maxSurge": 0, "maxUnavailable": 2}}))
    kube.wait_rolled_out("lean", timeout=30)
    old = rs_name_for(kube, "nginx:1.24", "app=lean")
    text = kube("describe", "deployment", "lean").stdout
    assert re.search(r"^RollingUpdateStrategy:\s+2 max unavailable, 0 max surge$", text, re.M), text
    kube("set", "image", "deployment/lean", "nginx=nginx:1.25")
    kube.wait_rolled_out("lean", timeout=40)
    new = rs_name_for(kube, "nginx:1.25", "app=lean")
    msgs = scaling_messages(kube, "lean")
    # The new set is created at 0 (no room to surge, so no event); the old one drops by
    # maxUnavailable; the new one takes the room. Later steps depend on when each new pod
    # becomes available (one at a time or together), as upstream, so they are replayed instead.
    assert msgs[:3] == [f"Scaled up replica set {old} to 4",
                        f"Scaled down replica set {old} to 2 from 4",
                        f"Scaled up replica set {new} to 2 from 0"], msgs
    assert replay(msgs, {}, max_total=4) == {old: 0, new: 4}, msgs


def test_both_zero_is_refused_with_the_apiserver_message(kube_shared):
    kube = kube_shared
    out = kube("apply", "-f", "-", check=False, input=deployment_yaml("zero", 2, {
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}))
    assert out.returncode == 1
    assert ('The Deployment "zero" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: '
            'may not be 0 when `maxSurge` is 0') in out.stderr, out.stderr


def test_recreate_removes_every_old_pod_before_any_new_pod_exists(kube_shared):
    kube = kube_shared
    kube("apply", "-f", "-", input=deployment_yaml("rc", 3, {"type": "Recreate"}))
    old_pods = set(kube.wait_running("app=rc", 3))
    kube.wait_rolled_out("rc")
    old = rs_name_for(kube, "nginx:1.24", "app=rc")
    text = kube("describe", "deployment", "rc").stdout
    assert re.search(r"^StrategyType:\s+Recreate$", text, re.M), text
    assert not re.search(r"^RollingUpdateStrategy:", text, re.M), text

    watch = WatchLines(kube.server.kubectl_popen("get", "pods", "-l", "app=rc", "-w", "--output-watch-events",
                                                 "--request-timeout=15s"))
    try:
        # The watch is established once it has printed the three existing pods.
        kube.server.wait_until(lambda: {ln.split()[1] for ln in watch.lines if ln.startswith("ADDED")} >= old_pods,
                               10, message="the watch listing the old pods")
        kube("set", "image", "deployment/rc", "nginx=nginx:1.25")
        kube.wait_rolled_out("rc", timeout=30)
        kube.wait_running("app=rc", 3)
        new = rs_name_for(kube, "nginx:1.25", "app=rc")
        # kubectl may print a little behind the cluster: wait for it to show the new pods.
        kube.server.wait_until(lambda: any(ln.startswith("ADDED") and ln.split()[1].startswith(new + "-")
                                           for ln in watch.lines), 15, message="the watch printing a new pod")
    finally:
        stdout = watch.stop()
    assert scaling_messages(kube, "rc") == [f"Scaled up replica set {old} to 3",
                                            f"Scaled down replica set {old} to 0 from 3",
                                            f"Scaled up replica set {new} to 3"]
    # In the watch, every old pod is DELETED before the first new pod is ADDED.
    events = [ln.split()[:2] for ln in stdout.splitlines() if ln.split()[:1] in (["ADDED"], ["MODIFIED"], ["DELETED"])]
    first_new = next((i for i, (ev, name) in enumerate(events) if ev == "ADDED" and name.startswith(new + "-")), None)
    assert first_new is not None, stdout
    deleted_old = {name for ev, name in events[:first_new] if ev == "DELETED"}
    assert deleted_old == old_pods, f"old pods deleted before the first new pod: {deleted_old}\n{stdout}"


# ---- progress deadline and minReadySeconds --------------------------------------------------------

def test_a_stuck_rollout_exceeds_its_progress_deadline_and_rollout_status_says_so(kube_shared):
    kube = kube_shared
    doc = json.loads(deployment_yaml("stuck", 2, {"type": "RollingUpdate"}))
    doc["spec"]["progressDeadlineSeconds"] = 20
    kube("apply", "-f", "-", input=json.dumps(doc))
    kube.wait_rolled_out("stuck")
    kube("set", "image", "deployment/stuck", "nginx=nginx:1.25-typo")

    def timed_out():
        conds = {c["type"]: c for c in kube.deployment("stuck")["status"].get("conditions", [])}
        c = conds["Progressing"]
        assert (c["status"], c["reason"]) == ("False", "ProgressDeadlineExceeded"), c
        return c
    cond = kube.server.wait_until(timed_out, 30, message="Progressing=False ProgressDeadlineExceeded")
    new = rs_name_for(kube, "nginx:1.25-typo", "app=stuck")
    assert cond["message"] == f'ReplicaSet "{new}" has timed out progressing.'
    out = kube("rollout", "status", "deployment/stuck", "--timeout=20s", check=False, timeout=30)
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stderr == 'error: deployment "stuck" exceeded its progress deadline\n', out.stderr
    # The old pods keep serving: availability is intact.
    conds = {c["type"]: c for c in kube.deployment("stuck")["status"]["conditions"]}
    assert (conds["Available"]["status"], conds["Available"]["reason"]) == ("True", "MinimumReplicasAvailable")
    assert live_images(kube, "app=stuck") == {"nginx:1.24", "nginx:1.25-typo"}


def test_min_ready_seconds_holds_pods_unavailable_until_they_have_been_ready_that_long(kube):
    doc = json.loads(deployment_yaml("slow", 2, {"type": "RollingUpdate"}))
    doc["spec"]["minReadySeconds"] = 60
    kube("apply", "-f", "-", input=json.dumps(doc))
    kube.wait_running("app=slow", 2)
    ready_at = max(
        dt.datetime.fromisoformat(next(c for c in p["status"]["conditions"] if c["type"] == "Ready")["lastTransitionTime"]
                                  .replace("Z", "+00:00")).timestamp() for p in kube.pods("app=slow"))
    clock(kube, paused=True)          # hold the moment: ready, but not yet for 60 s
    try:
        assert kube.server.get_json("/kubeplay/v1/clock")["nowSeconds"] < ready_at + 60
        _, rows = kube.table("get", "deploy", "slow")
        assert (rows[0]["READY"], rows[0]["AVAILABLE"]) == ("2/2", "0"), rows
    finally:
        clock(kube, paused=False)
    d = kube.wait_rolled_out("slow", timeout=30)
    became = dt.datetime.fromisoformat(
        next(c for c in d["status"]["conditions"] if c["type"] == "Available")["lastTransitionTime"]
        .replace("Z", "+00:00")).timestamp()
    assert became >= ready_at + 60 - 1, (ready_at, became)
    _, rows = kube.table("get", "deploy", "slow")
    assert (rows[0]["READY"], rows[0]["AVAILABLE"]) == ("2/2", "2"), rows
