"""The simulated kubelets: realistic Nodes and Leases, pods walking the container stage table
with the real statuses and events (Pulling → Pulled → Created → Started), image pull and crash
back-off on the real schedule, graceful deletion, logs, and silence on a failed node."""
import pytest

from engine import errors, objects, resources as kinds
from engine.clock import EPOCH
from engine.kubelet import images
from engine.kubelet.stages import _go_duration


def pod(name, image="nginx:1.27", *, node=None, containers=None, **spec):
    spec["containers"] = containers or [{"name": "c", "image": image}]
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def get(c, name):
    return c.store.get(kinds.POD, "default", name)


def cstatus(c, name, i=0):
    return get(c, name)["status"]["containerStatuses"][i]


def events(c, name, reason=None):
    items, _ = c.store.list(kinds.EVENT, "default")        # names grow with time: list order = creation order
    return [e for e in items if e["involvedObject"]["name"] == name and (reason is None or e["reason"] == reason)]


def at(seconds):
    return objects.iso(EPOCH + seconds)


# ---- nodes and leases ---------------------------------------------------------------------------

def test_registered_node_looks_like_a_kind_worker(cluster):
    node = cluster.store.get(kinds.NODE, "", "node-2")
    labels = node["metadata"]["labels"]
    assert labels["kubernetes.io/hostname"] == "node-2" and labels["kubernetes.io/os"] == "linux"
    assert labels["kubernetes.io/arch"] == "amd64"
    st = node["status"]
    # 8Gi, less the kubelet's default hard eviction threshold (memory.available 100Mi); the
    # apiserver stores quantities in canonical form.
    assert st["capacity"]["cpu"] == "4" and st["capacity"]["memory"] == "8Gi"
    assert st["allocatable"]["memory"] == "8092Mi" and st["allocatable"]["pods"] == "110"
    conds = {c["type"]: c for c in st["conditions"]}
    assert (conds["Ready"]["status"], conds["Ready"]["reason"], conds["Ready"]["message"]) == (
        "True", "KubeletReady", "kubelet is posting ready status")
    assert (conds["MemoryPressure"]["status"], conds["MemoryPressure"]["reason"]) == ("False", "KubeletHasSufficientMemory")
    assert conds["DiskPressure"]["reason"] == "KubeletHasNoDiskPressure"
    assert conds["PIDPressure"]["message"] == "kubelet has sufficient PID available"
    assert {a["type"] for a in st["addresses"]} == {"InternalIP", "Hostname"}
    assert st["addresses"][0]["address"].startswith("172.18.0.")
    info = st["nodeInfo"]
    for field in ("architecture", "bootID", "containerRuntimeVersion", "kernelVersion", "kubeProxyVersion",
                  "kubeletVersion", "machineID", "operatingSystem", "osImage", "systemUUID"):
        assert isinstance(info[field], str) and info[field], field
    assert info["kubeletVersion"] == "v1.32.0" and info["containerRuntimeVersion"].startswith("containerd://1.7.")
    assert st["daemonEndpoints"] == {"kubeletEndpoint": {"Port": 10250}}
    assert node["spec"]["podCIDR"] == "10.244.2.0/24"


def test_lease_is_renewed_every_period_while_the_node_lives(cluster):
    lease = cluster.store.get(kinds.LEASE, "kube-node-lease", "node-1")
    assert lease["spec"]["holderIdentity"] == "node-1" and lease["spec"]["leaseDurationSeconds"] == 40
    assert lease["metadata"]["ownerReferences"][0]["kind"] == "Node"
    first = objects.parse_time(lease["spec"]["renewTime"])
    cluster.advance(cluster.controller("kubelet").lease_period())
    assert objects.parse_time(cluster.store.get(kinds.LEASE, "kube-node-lease", "node-1")["spec"]["renewTime"]) == \
        first + cluster.controller("kubelet").lease_period()


def test_node_registration_events(cluster):
    reasons = [e["reason"] for e in events(cluster, "node-1")]
    assert reasons[:6] == ["Starting", "NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID",
                           "NodeAllocatableEnforced", "NodeReady"]
    ev = events(cluster, "node-1", "NodeHasSufficientPID")[0]
    assert ev["message"] == "Node node-1 status is now: NodeHasSufficientPID"
    assert ev["involvedObject"]["uid"] == "node-1" and ev["source"] == {"component": "kubelet", "host": "node-1"}


# ---- a pod's life -------------------------------------------------------------------------------

def test_pod_goes_pending_then_container_creating_then_running_with_events_in_order(cluster):
    cluster.store.create(pod("web"))
    cluster.run_until_idle()
    p = get(cluster, "web")
    st = p["status"]
    node = p["spec"]["nodeName"]
    assert st["phase"] == "Pending"
    assert st["hostIP"] == cluster.store.get(kinds.NODE, "", node)["status"]["addresses"][0]["address"]
    assert st["podIP"].startswith("10.244.") and st["podIPs"] == [{"ip": st["podIP"]}]
    assert st["startTime"] == at(0)
    assert [(c["type"], c["status"]) for c in st["conditions"]] == [
        ("PodReadyToStartContainers", "True"), ("Initialized", "True"), ("Ready", "False"),
        ("ContainersReady", "False"), ("PodScheduled", "True")]
    ready = objects.get_condition(st, "Ready")
    assert (ready["reason"], ready["message"]) == ("ContainersNotReady", "containers with unready status: [c]")
    assert st["containerStatuses"] == [{"name": "c", "state": {"waiting": {"reason": "ContainerCreating"}},
                                        "lastState": {}, "ready": False, "restartCount": 0, "image": "nginx:1.27",
                                        "imageID": "", "started": False}]
    cluster.advance(5)
    st = get(cluster, "web")["status"]
    assert st["phase"] == "Running"
    assert [(c["type"], c["status"]) for c in st["conditions"]][:4] == [
        ("PodReadyToStartContainers", "True"), ("Initialized", "True"), ("Ready", "True"), ("ContainersReady", "True")]
    cs = st["containerStatuses"][0]
    t = cluster.timings
    assert cs["state"] == {"running": {"startedAt": at(int(t.image_pull + t.container_start))}}
    assert cs["ready"] is True and cs["started"] is True
    assert cs["image"] == "docker.io/library/nginx:1.27"
    assert cs["imageID"].startswith("docker.io/library/nginx@sha256:") and len(cs["imageID"].split(":")[-1]) == 64
    assert cs["containerID"].startswith("containerd://")
    evs = [(e["reason"], e["message"]) for e in events(cluster, "web")]
    assert evs == [
        ("Scheduled", f"Successfully assigned default/web to {node}"),
        ("Pulling", 'Pulling image "nginx:1.27"'),
        ("Pulled", 'Successfully pulled image "nginx:1.27" in 1.5s (1.5s including waiting). Image size: 72099501 bytes.'),
        ("Created", "Created container: c"),
        ("Started", "Started container c"),
    ]
    pulling = events(cluster, "web", "Pulling")[0]
    assert pulling["involvedObject"]["fieldPath"] == "spec.containers{c}"
    assert pulling["source"] == {"component": "kubelet", "host": node}


def test_second_pod_finds_the_image_already_present(cluster):
    cluster.store.create(pod("a", node="node-1"))
    cluster.advance(5)
    cluster.store.create(pod("b", node="node-1"))
    cluster.advance(5)
    assert [e["message"] for e in events(cluster, "b", "Pulled")] == [
        'Container image "nginx:1.27" already present on machine and can be accessed by the pod']
    assert not events(cluster, "b", "Pulling")
    assert get(cluster, "b")["status"]["phase"] == "Running"
    assert get(cluster, "a")["status"]["podIP"] != get(cluster, "b")["status"]["podIP"]


def test_overdue_transitions_are_written_once(cluster):
    cluster.store.create(pod("late", node="node-1"))
    cluster.run_until_idle()
    assert get(cluster, "late")["status"]["phase"] == "Pending"
    watch = cluster.store.watch(cluster.store.resource_version)
    cluster.clock.advance(30)            # the engine is behind: every step is overdue when it looks
    cluster.run_until_idle()
    writes = [e for e in watch.next(0) if e.object["kind"] == "Pod" and e.object["metadata"]["name"] == "late"]
    assert len(writes) == 1
    assert writes[0].object["status"]["phase"] == "Running"
    assert [e["reason"] for e in events(cluster, "late")] == ["Pulling", "Pulled", "Created", "Started"]


def test_init_containers_run_first_and_in_order(cluster):
    cluster.store.create(pod("init", node="node-1",
                             initContainers=[{"name": "wait", "image": "busybox:1.36", "command": ["sh", "-c", "sleep 2"]},
                                             {"name": "setup", "image": "busybox:1.36", "command": ["true"]}]))
    cluster.run_until_idle()
    st = get(cluster, "init")["status"]
    assert st["phase"] == "Pending"
    assert st["initContainerStatuses"][0]["state"] == {"waiting": {"reason": "PodInitializing"}}
    assert st["containerStatuses"][0]["state"] == {"waiting": {"reason": "PodInitializing"}}
    init_cond = objects.get_condition(st, "Initialized")
    assert (init_cond["status"], init_cond["reason"], init_cond["message"]) == (
        "False", "ContainersNotInitialized", "containers with incomplete status: [wait setup]")
    cluster.advance(3)
    st = get(cluster, "init")["status"]
    assert "running" in st["initContainerStatuses"][0]["state"]
    cluster.advance(20)
    st = get(cluster, "init")["status"]
    assert st["phase"] == "Running"
    assert [s["state"]["terminated"]["reason"] for s in st["initContainerStatuses"]] == ["Completed", "Completed"]
    assert objects.get_condition(st, "Initialized")["status"] == "True"
    started = [e["involvedObject"]["fieldPath"] for e in events(cluster, "init", "Started")]
    assert started == ["spec.initContainers{wait}", "spec.initContainers{setup}", "spec.containers{c}"]


# ---- failures: images and crashes ---------------------------------------------------------------

def test_typo_tag_fails_like_the_real_thing_and_backs_off(cluster):
    cluster.store.create(pod("typo", "nginx:1.2.3.4.5", node="node-1"))
    t = cluster.timings
    cluster.advance(t.image_pull)
    err = ('rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.2.3.4.5": '
           'failed to resolve reference "docker.io/library/nginx:1.2.3.4.5": docker.io/library/nginx:1.2.3.4.5: not found')
    assert cstatus(cluster, "typo")["state"] == {"waiting": {"reason": "ErrImagePull", "message": err}}
    cluster.advance(1)
    assert cstatus(cluster, "typo")["state"] == {"waiting": {
        "reason": "ImagePullBackOff", "message": f'Back-off pulling image "nginx:1.2.3.4.5": ErrImagePull: {err}'}}
    assert [(e["type"], e["reason"], e["message"]) for e in events(cluster, "typo")] == [
        ("Normal", "Pulling", 'Pulling image "nginx:1.2.3.4.5"'),
        ("Warning", "Failed", f'Failed to pull image "nginx:1.2.3.4.5": {err}'),
        ("Warning", "Failed", "Error: ErrImagePull"),
        ("Normal", "BackOff", 'Back-off pulling image "nginx:1.2.3.4.5"'),
        ("Warning", "Failed", "Error: ImagePullBackOff"),
    ]
    # Retries 10 s after the first failure, then 20 s after the second.
    cluster.advance(8)
    assert events(cluster, "typo", "Pulling")[0]["count"] == 1
    cluster.advance(1)
    assert events(cluster, "typo", "Pulling")[0]["count"] == 2
    cluster.advance(t.image_pull + 18)
    assert events(cluster, "typo", "Pulling")[0]["count"] == 2
    cluster.advance(2)
    assert events(cluster, "typo", "Pulling")[0]["count"] == 3
    assert get(cluster, "typo")["status"]["phase"] == "Pending"


@pytest.mark.parametrize("image, ok", [
    ("nginx", True), ("nginx:1.27", True), ("nginx:1.27.3-alpine3.20", True), ("nginx:stable-alpine", True),
    ("python:3.12-slim-bookworm", True), ("redis:v7", True), ("registry.example/pizza/login:1.2.3", True),
    ("registry.k8s.io/pause:3.10", True), ("nginx:1.2.3.4.5", False), ("nginx:lates", False),
    ("nginx:1.27typo", False), ("ngnix:1.27", False), ("myregistry.internal/app:1", False),
])
def test_registry_rule(image, ok):
    assert (images.pull_error(images.parse(image)) is None) is ok


def test_unknown_repository_and_invalid_names():
    assert "pull access denied, repository does not exist" in images.pull_error(images.parse("ngnix"))
    assert images.parse("docker.io/library/nginx:latest").name == "docker.io/library/nginx:latest"
    assert images.parse("bitnami/redis").name == "docker.io/bitnami/redis:latest"
    assert not images.parse("NGINX").valid and not images.parse("nginx:").valid


def test_invalid_image_name_waits(cluster):
    cluster.store.create(pod("bad", "Nginx:1.27", node="node-1"))
    cluster.advance(3)
    msg = 'Failed to apply default image tag "Nginx:1.27": couldn\'t parse image name "Nginx:1.27": invalid reference format'
    assert cstatus(cluster, "bad")["state"] == {"waiting": {"reason": "InvalidImageName", "message": msg}}
    assert [(e["reason"], e["message"]) for e in events(cluster, "bad")] == [
        ("InspectFailed", msg), ("Failed", "Error: InvalidImageName")]


def test_crashing_container_backs_off_on_the_real_schedule(cluster):
    cluster.store.create(pod("crash", node="node-1",
                             containers=[{"name": "app", "image": "busybox:1.36", "command": ["false"]}]))
    cluster.advance(2.0)                     # pulled at 1.5, started at 2.0 and exited at once
    cs = cstatus(cluster, "crash")
    assert cs["state"]["terminated"]["exitCode"] == 1 and cs["state"]["terminated"]["reason"] == "Error"
    assert cs["restartCount"] == 0
    cluster.advance(1)                       # first restart is immediate; second exit → back-off 10s
    cs = cstatus(cluster, "crash")
    uid = get(cluster, "crash")["metadata"]["uid"]
    assert cs["restartCount"] == 1
    cluster.advance(1)
    cs = cstatus(cluster, "crash")
    assert cs["state"] == {"waiting": {"reason": "CrashLoopBackOff",
                                       "message": f"back-off 10s restarting failed container=app pod=crash_default({uid})"}}
    assert cs["lastState"]["terminated"]["exitCode"] == 1
    assert events(cluster, "crash", "BackOff")[0]["message"] == \
        f"Back-off restarting failed container app in pod crash_default({uid})"
    assert events(cluster, "crash", "BackOff")[0]["type"] == "Warning"
    delays = []
    for _ in range(6):
        before = cstatus(cluster, "crash")["restartCount"]
        waited = 0
        while cstatus(cluster, "crash")["restartCount"] == before:
            cluster.advance(1)
            waited += 1
        delays.append(waited)
        cluster.advance(1)
    assert delays[:5] == [9, 19, 39, 79, 159]   # 10s, 20s, 40s, 80s, 160s after each exit (minus the 1s sync)
    assert "back-off 5m0s" in cstatus(cluster, "crash")["state"]["waiting"]["message"]
    assert get(cluster, "crash")["status"]["phase"] == "Running"


def test_busybox_without_a_command_completes_then_crash_loops(cluster):
    cluster.store.create(pod("bb", "busybox", node="node-1"))
    cluster.advance(2.5)
    cs = cstatus(cluster, "bb")
    assert cs["state"]["terminated"]["reason"] == "Completed" or cs["restartCount"] >= 1
    cluster.advance(5)
    assert cstatus(cluster, "bb")["state"]["waiting"]["reason"] == "CrashLoopBackOff"


def test_restart_policy_never_ends_succeeded_or_failed(cluster):
    cluster.store.create(pod("ok", node="node-1", restartPolicy="Never",
                             containers=[{"name": "c", "image": "busybox:1.36", "command": ["sh", "-c", "echo hello; exit 0"]}]))
    cluster.store.create(pod("ko", node="node-2", restartPolicy="Never",
                             containers=[{"name": "c", "image": "busybox:1.36", "command": ["sh", "-c", "exit 3"]}]))
    cluster.advance(5)
    ok, ko = get(cluster, "ok")["status"], get(cluster, "ko")["status"]
    assert ok["phase"] == "Succeeded" and ko["phase"] == "Failed"
    assert ko["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 3
    assert [(c["type"], c["status"], c.get("reason")) for c in ok["conditions"]][:4] == [
        ("PodReadyToStartContainers", "False", None), ("Initialized", "True", None),
        ("Ready", "False", "PodCompleted"), ("ContainersReady", "False", "PodCompleted")]
    assert cluster.controller("kubelet").logs("default", "ok") == "hello\n"


# ---- deletion -----------------------------------------------------------------------------------

def test_deleted_pod_is_stopped_then_removed_after_the_grace_period(cluster):
    cluster.store.create(pod("web", node="node-1"))
    cluster.advance(5)
    cluster.store.delete(kinds.POD, "default", "web")
    cluster.run_until_idle()
    p = get(cluster, "web")
    assert p["metadata"]["deletionTimestamp"] and p["metadata"]["deletionGracePeriodSeconds"] == 30
    [kill] = events(cluster, "web", "Killing")
    assert kill["message"] == "Stopping container c" and kill["involvedObject"]["fieldPath"] == "spec.containers{c}"
    cluster.advance(cluster.timings.termination_grace_cap - 0.5)
    assert cluster.store.try_get(kinds.POD, "default", "web") is not None
    cluster.advance(0.5)
    assert cluster.store.try_get(kinds.POD, "default", "web") is None


def test_pod_ip_is_reused_only_after_the_pod_is_gone(cluster):
    cluster.store.create(pod("a", node="node-1"))
    cluster.advance(5)
    ip = get(cluster, "a")["status"]["podIP"]
    cluster.store.delete(kinds.POD, "default", "a")
    cluster.advance(5)
    for i in range(3):
        cluster.store.create(pod(f"n{i}", node="node-1"))
    cluster.advance(5)
    assert ip not in [get(cluster, f"n{i}")["status"]["podIP"] for i in range(1)]


# ---- a failed node ------------------------------------------------------------------------------

def test_failed_node_does_nothing_until_it_recovers(cluster):
    cluster.store.create(pod("web", node="node-1"))
    cluster.advance(5)
    cluster.fail_node("node-1")
    lease = cluster.store.get(kinds.LEASE, "kube-node-lease", "node-1")["spec"]["renewTime"]
    cluster.store.delete(kinds.POD, "default", "web")
    forever = [{"key": k, "operator": "Exists", "effect": "NoExecute"}
               for k in ("node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready")]
    cluster.store.create(pod("new", node="node-1", tolerations=forever))
    cluster.advance(30)
    assert cluster.store.get(kinds.LEASE, "kube-node-lease", "node-1")["spec"]["renewTime"] == lease
    assert get(cluster, "web")["metadata"]["deletionTimestamp"]          # stays Terminating
    assert not events(cluster, "web", "Killing")
    assert "containerStatuses" not in get(cluster, "new")["status"]
    cluster.recover_node("node-1")
    cluster.advance(5)
    assert cluster.store.try_get(kinds.POD, "default", "web") is None
    assert get(cluster, "new")["status"]["phase"] == "Running"
    renewed = objects.parse_time(cluster.store.get(kinds.LEASE, "kube-node-lease", "node-1")["spec"]["renewTime"])
    assert renewed >= cluster.clock.now() - cluster.controller("kubelet").lease_period()


# ---- logs ---------------------------------------------------------------------------------------

def test_logs(cluster):
    cluster.store.create(pod("web", node="node-1"))
    kubelet = cluster.controller("kubelet")
    cluster.run_until_idle()
    with pytest.raises(errors.BadRequest, match='container "c" in pod "web" is waiting to start: ContainerCreating'):
        kubelet.logs("default", "web", "c")
    cluster.advance(5)
    out = kubelet.logs("default", "web")
    assert out.startswith("/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty") and out.endswith("\n")
    assert "[notice] 1#1: nginx/" in out
    with pytest.raises(errors.BadRequest, match="previous terminated container"):
        kubelet.logs("default", "web", "c", previous=True)
    with pytest.raises(errors.BadRequest, match="container nope is not valid for pod web"):
        kubelet.logs("default", "web", "nope")
    cluster.store.create(pod("two", node="node-1", containers=[{"name": "a", "image": "nginx:1.27"},
                                                               {"name": "b", "image": "redis:7"}]))
    with pytest.raises(errors.BadRequest, match=r"a container name must be specified for pod two, choose one of: \[a b\]"):
        kubelet.logs("default", "two")
    with pytest.raises(errors.NotFound):
        kubelet.logs("default", "ghost")


def test_go_duration_format():
    assert [_go_duration(s) for s in (0.512, 1.5, 10, 80, 300)] == ["512ms", "1.5s", "10s", "1m20s", "5m0s"]


# ---- quiescence ---------------------------------------------------------------------------------

def test_converged_kubelets_write_nothing_when_reconciled_again(cluster):
    cluster.store.create(pod("web"))
    cluster.store.create(pod("crash", containers=[{"name": "c", "image": "busybox:1.36", "command": ["false"]}]))
    cluster.store.create(pod("typo", "nginx:nope"))
    cluster.advance(30)
    rv = cluster.store.resource_version
    kubelet = cluster.controller("kubelet")
    keys = [objects.key_of(p) for p in cluster.store.list(kinds.POD)[0]] + [f"node:node-{i}" for i in (1, 2, 3)]
    for k in keys:
        kubelet.reconcile(k)
    assert cluster.store.resource_version == rv


def test_fixing_a_typo_d_image_on_a_bare_pod_pulls_the_new_one(cluster):
    cluster.store.create(pod("typo", "nginx:1.2.3.4.5", node="node-1"))
    cluster.advance(5)
    assert cstatus(cluster, "typo")["state"]["waiting"]["reason"] == "ImagePullBackOff"
    cluster.store.patch(kinds.POD, "default", "typo", "strategic",
                        {"spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}})
    cluster.advance(3)
    cs = cstatus(cluster, "typo")
    assert "running" in cs["state"] and cs["image"] == "docker.io/library/nginx:1.27"
    assert events(cluster, "typo", "Pulling")[-1]["message"] == 'Pulling image "nginx:1.27"'


def test_changing_a_running_container_image_restarts_it(cluster):
    cluster.store.create(pod("web", node="node-1"))
    cluster.advance(5)
    cluster.store.patch(kinds.POD, "default", "web", "strategic",
                        {"spec": {"containers": [{"name": "c", "image": "nginx:1.28"}]}})
    cluster.advance(5)
    cs = cstatus(cluster, "web")
    assert cs["restartCount"] == 1 and cs["image"] == "docker.io/library/nginx:1.28" and cs["ready"]
    assert cs["lastState"]["terminated"]["reason"] == "Completed"
    assert events(cluster, "web", "Killing")[0]["message"] == "Container c definition changed, will be restarted"


# ---- ephemeral containers (kubectl debug) --------------------------------------------------------

def test_an_ephemeral_container_starts_once_reports_its_status_and_leaves_the_pod_ready(cluster):
    cluster.store.create(pod("app", node="node-1"))
    cluster.advance(30)
    assert get(cluster, "app")["status"]["phase"] == "Running"
    debug = {"name": "dbg", "image": "busybox", "command": ["sh", "-c", "echo looking around"]}
    cluster.store.patch(kinds.POD, "default", "app", "strategic", {"spec": {"ephemeralContainers": [debug]}},
                        subresource="ephemeralcontainers")
    cluster.advance(30)
    p = get(cluster, "app")
    (st,) = p["status"]["ephemeralContainerStatuses"]
    # It ran and exited; unlike the pod's own containers (restartPolicy Always) it is not restarted.
    assert st["name"] == "dbg" and st["state"]["terminated"]["exitCode"] == 0, st
    assert st["restartCount"] == 0 and st["ready"] is False and "started" not in st
    assert p["status"]["phase"] == "Running"
    assert objects.get_condition(p["status"], "Ready")["status"] == "True"
    reasons = [(e["reason"], e["involvedObject"].get("fieldPath")) for e in events(cluster, "app")]
    assert ("Started", "spec.ephemeralContainers{dbg}") in reasons, reasons
    assert cluster.controller("kubelet").logs("default", "app", "dbg") == "looking around\n"
    # An ordinary update may not touch them; the subresource may not change or drop one.
    with pytest.raises(errors.Invalid):
        cluster.store.patch(kinds.POD, "default", "app", "strategic",
                            {"spec": {"ephemeralContainers": [dict(debug, name="other")]}})
    with pytest.raises(errors.Invalid, match='existing ephemeral containers "dbg" may not be removed'):
        cluster.store.patch(kinds.POD, "default", "app", "merge", {"spec": {"ephemeralContainers": None}},
                            subresource="ephemeralcontainers")


def test_a_container_past_its_memory_limit_is_oom_killed_and_backs_off(cluster):
    # kubernetes.io pods/resource/memory-request-limit-2.yaml: stress wants 250M under a 100Mi limit.
    cluster.store.create(pod("memory-demo-2", node="node-1", containers=[{
        "name": "memory-demo-2-ctr", "image": "polinux/stress", "command": ["stress"],
        "args": ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"],
        "resources": {"requests": {"memory": "50Mi"}, "limits": {"memory": "100Mi"}}}]))
    cluster.advance(3.0)
    cs = cstatus(cluster, "memory-demo-2")
    last = cs["state"].get("terminated") or cs["lastState"]["terminated"]
    assert (last["reason"], last["exitCode"]) == ("OOMKilled", 137)
    cluster.advance(5)
    cs = cstatus(cluster, "memory-demo-2")
    assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert cs["lastState"]["terminated"]["reason"] == "OOMKilled" and cs["restartCount"] >= 1


def test_a_container_within_its_memory_limit_keeps_running(cluster):
    # memory-request-limit.yaml: 150M under a 200Mi limit runs.
    cluster.store.create(pod("memory-demo", node="node-1", containers=[{
        "name": "c", "image": "polinux/stress", "command": ["stress"],
        "args": ["--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"],
        "resources": {"requests": {"memory": "100Mi"}, "limits": {"memory": "200Mi"}}}]))
    cluster.advance(30)
    cs = cstatus(cluster, "memory-demo")
    assert "running" in cs["state"] and cs["restartCount"] == 0
