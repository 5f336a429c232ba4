"""Container probes in the simulated kubelet, on the manual clock: readiness takes a pod out of
its Service's endpoints and puts it back, liveness kills and restarts with the real events,
startup gates the others, and the deterministic rule that decides a simulated probe."""
import pytest

from engine import objects, resources as kinds
from engine.clock import EPOCH
from engine.controllers import endpointslice
from engine.kubelet import probes as probing
from engine.kubelet.pods import _make_run
from engine.pod_conditions import is_pod_ready


def pod(name, *, image="busybox:1.36", command=None, labels=None, ports=None, restart=None, grace=None, **probes):
    c = {"name": "c", "image": image}
    if command:
        c["command"] = ["sh", "-c", command]
    if ports:
        c["ports"] = [dict(p) for p in ports]
    for kind, spec in probes.items():
        c[kind] = spec
    spec = {"containers": [c]}
    if restart:
        spec["restartPolicy"] = restart
    if grace is not None:
        spec["terminationGracePeriodSeconds"] = grace
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": dict(labels or {})}, "spec": spec}


def get(c, name):
    return c.store.get(kinds.POD, "default", name)


def cstatus(c, name):
    return get(c, name)["status"]["containerStatuses"][0]


def condition(c, name, ctype):
    return objects.get_condition(get(c, name)["status"], ctype)


def events(c, name, reason=None):
    items, _ = c.store.list(kinds.EVENT, "default")
    return [e for e in items if e["involvedObject"]["name"] == name and (reason is None or e["reason"] == reason)]


def at(c, seconds):
    """Advance the manual clock to EPOCH + seconds."""
    c.advance(EPOCH + seconds - c.clock.now())


# busybox:1.36 is pulled in 1.5 s and started 0.5 s later: the container starts at t = 2 s.
STARTED = 2.0


# ---- readiness -------------------------------------------------------------------------------------

def test_a_failing_readiness_probe_takes_the_pod_out_of_its_endpoints_and_back(cluster):
    """The ready file exists for 20 s, is gone for 20 s, then is back: after failureThreshold (3)
    failures the pod is not Ready and its EndpointSlice endpoint is not ready; one success
    brings both back. The container is never restarted."""
    probe = {"exec": {"command": ["cat", "/tmp/ready"]}, "periodSeconds": 5, "failureThreshold": 3,
             "successThreshold": 1, "timeoutSeconds": 1, "initialDelaySeconds": 0}
    cluster.store.create(pod("web-1", labels={"app": "web"}, ports=[{"name": "http", "containerPort": 8080}],
                             command="touch /tmp/ready; sleep 20; rm /tmp/ready; sleep 20; touch /tmp/ready; sleep 3600",
                             readinessProbe=probe))
    cluster.store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
                          "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}})

    def endpoint_ready():
        sl = [s for s in cluster.store.iter(kinds.ENDPOINTSLICE, "default")
              if objects.labels_of(s).get(endpointslice.LABEL_SERVICE_NAME) == "web"][0]
        eps = [e for e in sl.get("endpoints") or () if e["targetRef"]["name"] == "web-1"]
        return eps[0]["conditions"]["ready"] if eps else None

    at(cluster, STARTED - 0.1)
    assert cstatus(cluster, "web-1")["ready"] is False           # not started yet
    at(cluster, STARTED)                                          # the first probe runs as it starts
    assert cstatus(cluster, "web-1")["ready"] is True and condition(cluster, "web-1", "Ready")["status"] == "True"
    assert endpoint_ready() is True

    # The file goes at t=22: probes at 22, 27 fail (below threshold), 32 is the third failure.
    at(cluster, 31.9)
    assert cstatus(cluster, "web-1")["ready"] is True and endpoint_ready() is True
    at(cluster, 32)
    st = cstatus(cluster, "web-1")
    assert st["ready"] is False and st["started"] is True and "running" in st["state"]
    ready = condition(cluster, "web-1", "Ready")
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "False", "ContainersNotReady", "containers with unready status: [c]")
    assert condition(cluster, "web-1", "ContainersReady")["status"] == "False"
    assert endpoint_ready() is False
    assert is_pod_ready(get(cluster, "web-1")) is False
    unhealthy = events(cluster, "web-1", "Unhealthy")
    assert len(unhealthy) == 1                                     # aggregated: one Event, a count
    e = unhealthy[0]
    assert (e["type"], e["message"], e["count"]) == (
        "Warning", "Readiness probe failed: cat: can't open '/tmp/ready': No such file or directory\n", 3)
    assert e["involvedObject"]["fieldPath"] == "spec.containers{c}" and e["source"] == {"component": "kubelet",
                                                                                          "host": get(cluster, "web-1")["spec"]["nodeName"]}
    assert (e["firstTimestamp"], e["lastTimestamp"]) == (objects.iso(EPOCH + 22), objects.iso(EPOCH + 32))

    # Back at t=42: one success (successThreshold 1) makes it ready again.
    at(cluster, 41.9)
    assert endpoint_ready() is False and events(cluster, "web-1", "Unhealthy")[0]["count"] == 4
    at(cluster, 42)
    assert cstatus(cluster, "web-1")["ready"] is True and endpoint_ready() is True
    assert condition(cluster, "web-1", "Ready")["status"] == "True"
    assert cstatus(cluster, "web-1")["restartCount"] == 0
    assert events(cluster, "web-1", "Killing") == []


def test_readiness_waits_for_its_initial_delay_and_success_threshold(cluster):
    probe = {"tcpSocket": {"port": 8080}, "initialDelaySeconds": 5, "periodSeconds": 2, "successThreshold": 3}
    cluster.store.create(pod("slow", ports=[{"containerPort": 8080}], command="sleep 3600", readinessProbe=probe))
    # Probes at 7, 9, 11: ready after the third success.
    at(cluster, 10.9)
    assert cstatus(cluster, "slow")["ready"] is False and cstatus(cluster, "slow")["started"] is True
    at(cluster, 11)
    assert cstatus(cluster, "slow")["ready"] is True
    assert events(cluster, "slow", "Unhealthy") == []


def test_a_flapping_loop_flaps_readiness(cluster):
    probe = {"exec": {"command": ["test", "-f", "/tmp/up"]}, "periodSeconds": 1, "failureThreshold": 1}
    cluster.store.create(pod("flap", command="while true; do touch /tmp/up; sleep 10; rm /tmp/up; sleep 10; done",
                             readinessProbe=probe))
    seen = []
    for t in (5, 11.9, 12, 21.9, 22, 31.9, 32):     # started at 2: the file is there 2-12, 22-32, …
        at(cluster, t)
        seen.append(cstatus(cluster, "flap")["ready"])
    assert seen == [True, True, False, False, True, True, False]
    assert cstatus(cluster, "flap")["restartCount"] == 0


# ---- liveness --------------------------------------------------------------------------------------

LIVENESS_EXAMPLE = "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"


def test_the_upstream_liveness_example_is_killed_and_restarted_with_the_real_events(cluster):
    """k/website's exec liveness example: /tmp/healthy is removed after 30 s; three failed
    probes later the kubelet kills the container (sh ignores SIGTERM: exit 137 after the grace
    period, 2 s in the playground) and starts it again."""
    probe = {"exec": {"command": ["cat", "/tmp/healthy"]}, "initialDelaySeconds": 5, "periodSeconds": 5}
    cluster.store.create(pod("liveness-exec", image="registry.k8s.io/busybox", command=LIVENESS_EXAMPLE,
                             livenessProbe=probe))
    # started at 2: probes at 7 … 27 pass, the file is gone at 32: failures at 32, 37, 42.
    at(cluster, 41.9)
    st = cstatus(cluster, "liveness-exec")
    assert "running" in st["state"] and st["restartCount"] == 0 and st["ready"] is True
    assert events(cluster, "liveness-exec", "Unhealthy")[0]["count"] == 2
    at(cluster, 42)
    assert [(e["type"], e["message"]) for e in events(cluster, "liveness-exec", "Killing")] == [
        ("Normal", "Container c failed liveness probe, will be restarted")]
    assert "running" in cstatus(cluster, "liveness-exec")["state"]      # SIGTERM ignored: still running
    at(cluster, 44)                                                      # the grace period (2 s) ends
    st = cstatus(cluster, "liveness-exec")
    assert st["state"]["terminated"]["exitCode"] == 137 and st["state"]["terminated"]["reason"] == "Error"
    assert st["ready"] is False and condition(cluster, "liveness-exec", "Ready")["status"] == "False"
    at(cluster, 60)
    st = cstatus(cluster, "liveness-exec")
    assert st["restartCount"] == 1 and "running" in st["state"] and st["ready"] is True
    last = st["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"], last["finishedAt"]) == (137, "Error", objects.iso(EPOCH + 44))

    evs = events(cluster, "liveness-exec")
    reasons = [(e["reason"], e["message"]) for e in evs]
    unhealthy = ("Unhealthy", "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n")
    assert reasons.index(unhealthy) < reasons.index(("Killing", "Container c failed liveness probe, will be restarted"))
    assert [e["count"] for e in evs if e["reason"] == "Unhealthy"] == [3]
    assert [e["count"] for e in evs if e["reason"] == "Started"] == [2]
    assert [e["count"] for e in evs if e["reason"] == "Killing"] == [1]
    u = [e for e in evs if e["reason"] == "Unhealthy"][0]
    assert u["type"] == "Warning" and u["involvedObject"]["fieldPath"] == "spec.containers{c}"


def test_repeated_liveness_kills_fall_into_crash_loop_back_off(cluster):
    """nginx answers 500 on /fail: killed (it honours SIGTERM: exit 0) after every failed
    probe, restarted at once the first time, then with the crash back-off."""
    probe = {"httpGet": {"path": "/fail", "port": 80}, "periodSeconds": 1, "failureThreshold": 1}
    cluster.store.create(pod("web", image="nginx:1.27", livenessProbe=probe))
    at(cluster, 2.5)
    assert events(cluster, "web", "Killing")[0]["message"] == "Container c failed liveness probe, will be restarted"
    u = events(cluster, "web", "Unhealthy")[0]
    assert u["message"] == "Liveness probe failed: HTTP probe failed with statuscode: 500"
    at(cluster, 10)
    st = cstatus(cluster, "web")
    assert st["restartCount"] == 1
    assert st["lastState"]["terminated"]["exitCode"] == 0 and st["lastState"]["terminated"]["reason"] == "Completed"
    assert st["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert events(cluster, "web", "BackOff")[0]["message"].startswith("Back-off restarting failed container c in pod web_default(")


def test_a_liveness_failure_under_restart_policy_never_ends_the_pod(cluster):
    probe = {"exec": {"command": ["false"]}, "periodSeconds": 1, "failureThreshold": 2}
    cluster.store.create(pod("once", image="nginx:1.27", restart="Never", livenessProbe=probe))
    at(cluster, 10)
    assert [e["message"] for e in events(cluster, "once", "Killing")] == ["Container c failed liveness probe"]
    assert events(cluster, "once", "Unhealthy")[0]["message"] == "Liveness probe failed: "
    p = get(cluster, "once")
    assert p["status"]["phase"] == "Succeeded"          # nginx exits 0 on SIGTERM
    assert p["status"]["containerStatuses"][0]["restartCount"] == 0


def test_the_probe_grace_period_is_capped_by_the_playground_timings(cluster):
    probe = {"exec": {"command": ["false"]}, "periodSeconds": 1, "failureThreshold": 1,
             "terminationGracePeriodSeconds": 1}
    cluster.store.create(pod("quick", command=LIVENESS_EXAMPLE, livenessProbe=probe))
    at(cluster, 2)                                   # started, probed, killed: grace 1 s
    assert len(events(cluster, "quick", "Killing")) == 1
    at(cluster, 2.9)
    assert "running" in cstatus(cluster, "quick")["state"]
    at(cluster, 3)
    assert cstatus(cluster, "quick")["state"]["terminated"]["exitCode"] == 137


# ---- startup ---------------------------------------------------------------------------------------

def test_a_startup_probe_holds_back_liveness_and_readiness(cluster):
    """The app needs 20 s to start: the startup probe fails (within its threshold) until then;
    liveness — which would fail before the file exists — and readiness only begin once it passed."""
    cluster.store.create(pod(
        "slowstart", command="sleep 20; touch /tmp/started; sleep 3600", ports=[{"containerPort": 8080}],
        startupProbe={"exec": {"command": ["test", "-f", "/tmp/started"]}, "periodSeconds": 5, "failureThreshold": 10},
        livenessProbe={"exec": {"command": ["cat", "/tmp/started"]}, "periodSeconds": 5},
        readinessProbe={"tcpSocket": {"port": 8080}, "periodSeconds": 5}))
    at(cluster, 21.9)                                # startup probes at 2, 7, 12, 17 failed
    st = cstatus(cluster, "slowstart")
    assert "running" in st["state"] and st["started"] is False and st["ready"] is False
    assert [(e["message"], e["count"]) for e in events(cluster, "slowstart", "Unhealthy")] == [
        ("Startup probe failed: ", 4)]
    at(cluster, 22)                                  # the file exists since 22: started, and ready at once
    st = cstatus(cluster, "slowstart")
    assert st["started"] is True and st["ready"] is True
    at(cluster, 60)
    assert [e["message"] for e in events(cluster, "slowstart", "Unhealthy")] == ["Startup probe failed: "]
    assert cstatus(cluster, "slowstart")["restartCount"] == 0


def test_a_startup_probe_that_never_passes_restarts_the_container(cluster):
    cluster.store.create(pod("stuck", image="nginx:1.27",
                             startupProbe={"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 2,
                                           "failureThreshold": 3}))
    at(cluster, 6.5)                                 # failures at 2, 4, 6
    ip = get(cluster, "stuck")["status"]["podIP"]
    assert [e["message"] for e in events(cluster, "stuck", "Unhealthy")] == [
        f'Startup probe failed: Get "http://{ip}:8080/healthz": dial tcp {ip}:8080: connect: connection refused']
    assert [e["message"] for e in events(cluster, "stuck", "Killing")] == [
        "Container c failed startup probe, will be restarted"]
    at(cluster, 8)
    assert cstatus(cluster, "stuck")["restartCount"] == 1


# ---- probe errors and messages ---------------------------------------------------------------------

def test_an_unknown_named_port_is_a_probe_error_and_its_result_is_thrown_away(cluster):
    cluster.store.create(pod("typo", image="nginx:1.27", ports=[{"name": "http", "containerPort": 80}],
                             readinessProbe={"httpGet": {"path": "/", "port": "htpp"}, "periodSeconds": 5},
                             livenessProbe={"httpGet": {"path": "/", "port": "htpp"}, "periodSeconds": 5}))
    at(cluster, 30)
    msgs = sorted((e["message"], e["count"]) for e in events(cluster, "typo", "Unhealthy"))
    assert msgs == [('Liveness probe errored and resulted in unknown state: strconv.Atoi: parsing "htpp": invalid syntax', 6),
                    ('Readiness probe errored and resulted in unknown state: strconv.Atoi: parsing "htpp": invalid syntax', 6)]
    st = cstatus(cluster, "typo")
    assert st["ready"] is False and st["restartCount"] == 0 and events(cluster, "typo", "Killing") == []


def test_a_named_port_resolves_against_the_container_ports(cluster):
    cluster.store.create(pod("named", image="nginx:1.27", ports=[{"name": "web", "containerPort": 80}],
                             readinessProbe={"httpGet": {"path": "/", "port": "web"}}))
    at(cluster, 3)
    assert cstatus(cluster, "named")["ready"] is True and events(cluster, "named", "Unhealthy") == []


def test_an_exec_probe_that_outlives_its_timeout_fails(cluster):
    cluster.store.create(pod("sleepy", image="nginx:1.27",
                             readinessProbe={"exec": {"command": ["sh", "-c", "sleep 3"]}, "timeoutSeconds": 2}))
    at(cluster, 3)
    assert events(cluster, "sleepy", "Unhealthy")[0]["message"] == 'Readiness probe failed: command "sh -c sleep 3" timed out'
    assert cstatus(cluster, "sleepy")["ready"] is False


# ---- quiescence ------------------------------------------------------------------------------------

def test_passing_probes_write_nothing(cluster):
    """Probes that keep passing run on timers but change no status: the store stays still."""
    cluster.store.create(pod("calm", image="nginx:1.27", ports=[{"containerPort": 80}],
                             readinessProbe={"httpGet": {"path": "/", "port": 80}, "periodSeconds": 1},
                             livenessProbe={"tcpSocket": {"port": 80}, "periodSeconds": 1},
                             startupProbe={"exec": {"command": ["true"]}, "periodSeconds": 1}))
    at(cluster, 10)
    assert cstatus(cluster, "calm")["ready"] is True
    before = cluster.store.resource_version
    pod_rv = objects.rv_of(get(cluster, "calm"))
    at(cluster, 40)
    assert objects.rv_of(get(cluster, "calm")) == pod_rv
    changed = [objects.key_of(o) for rt in (kinds.POD, kinds.EVENT, kinds.ENDPOINTSLICE, kinds.ENDPOINTS)
               for o in cluster.store.iter(rt) if int(objects.rv_of(o)) > int(before)]
    assert changed == []


def test_a_failing_readiness_probe_only_bumps_its_event_count(cluster):
    cluster.store.create(pod("grumpy", image="nginx:1.27", readinessProbe={"exec": {"command": ["false"]},
                                                                            "periodSeconds": 1}))
    at(cluster, 10)
    pod_rv = objects.rv_of(get(cluster, "grumpy"))
    count = events(cluster, "grumpy", "Unhealthy")[0]["count"]
    at(cluster, 20)
    assert objects.rv_of(get(cluster, "grumpy")) == pod_rv
    assert events(cluster, "grumpy", "Unhealthy")[0]["count"] == count + 10
    assert len(events(cluster, "grumpy", "Unhealthy")) == 1


# ---- the rule, directly ----------------------------------------------------------------------------

class _Env:
    pod_ip, namespace, pod_name, volumes = "10.244.1.7", "default", "p", ()


def _run(container: dict, started=0.0):
    c = _make_run(container, init=False)
    c.started_at = started
    return c


def _probe(container: dict, probe: dict, t: float):
    c = _run(container)
    return probing.evaluate(probing._Worker("readiness", probe), c, t, _Env())


@pytest.mark.parametrize("command, ok, output", [
    (["true"], True, ""), (["false"], False, ""), (["sh", "-c", "exit 0"], True, ""), (["sh", "-c", "exit 3"], False, ""),
    (["cat", "/tmp/healthy"], True, ""), (["cat", "/tmp/other"], False, "cat: can't open '/tmp/other': No such file or directory\n"),
    (["test", "-e", "/tmp/healthy"], True, ""), (["sh", "-c", "[ -f /tmp/nope ]"], False, ""),
    (["sh", "-c", "test -f /tmp/nope || echo missing"], True, "missing\n"),
    (["sh", "-c", "cat /tmp/healthy && echo ok"], True, "ok\n"),
    (["ls", "/etc/hostname"], True, "/etc/hostname\n"),
    (["pg_isready", "-U", "postgres"], True, ""),
    (["sh", "-c", "curl -f http://localhost:8080/status/503"], False, "curl: (22) The requested URL returned error: 503\n"),
    (["sh", "-c", "wget -q -O- http://127.0.0.1:9999/"], False, "wget: can't connect to remote host (127.0.0.1): Connection refused\n"),
])
def test_the_exec_rule(command, ok, output):
    container = {"name": "c", "image": "busybox:1.36", "command": ["sh", "-c", "touch /tmp/healthy; sleep 3600"],
                 "ports": [{"containerPort": 8080}]}
    result, out = _probe(container, {"exec": {"command": command}}, 5)
    assert (result == probing.SUCCESS, out) == (ok, output)


def test_gnu_messages_for_non_busybox_images():
    container = {"name": "c", "image": "nginx:1.27"}
    assert _probe(container, {"exec": {"command": ["cat", "/tmp/x"]}}, 1) == (probing.FAILURE, "cat: /tmp/x: No such file or directory\n")


@pytest.mark.parametrize("probe, result, output", [
    ({"httpGet": {"path": "/healthz", "port": 80}}, probing.SUCCESS, ""),
    ({"httpGet": {"path": "/healthz/fail", "port": 80}}, probing.FAILURE, "HTTP probe failed with statuscode: 500"),
    ({"httpGet": {"path": "/status/404", "port": 80}}, probing.FAILURE, "HTTP probe failed with statuscode: 404"),
    ({"httpGet": {"path": "/status/302", "port": 80}}, probing.SUCCESS, ""),
    ({"httpGet": {"path": "/delay/3", "port": 80}, "timeoutSeconds": 2}, probing.FAILURE,
     'Get "http://10.244.1.7:80/delay/3": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'),
    ({"httpGet": {"path": "/delay/1", "port": 80}, "timeoutSeconds": 2}, probing.SUCCESS, ""),
    ({"httpGet": {"path": "/", "port": 8080, "scheme": "HTTPS"}}, probing.FAILURE,
     'Get "https://10.244.1.7:8080/": dial tcp 10.244.1.7:8080: connect: connection refused'),
    ({"httpGet": {"path": "/", "port": "metrics"}}, probing.SUCCESS, ""),
    ({"httpGet": {"path": "/", "port": "9090"}}, probing.SUCCESS, ""),
    ({"tcpSocket": {"port": 6379}}, probing.FAILURE, "dial tcp 10.244.1.7:6379: connect: connection refused"),
    ({"tcpSocket": {"port": 80}}, probing.SUCCESS, ""),
    ({"grpc": {"port": 9090}}, probing.SUCCESS, ""),
    ({"grpc": {"port": 50051}}, probing.FAILURE,
     'timeout: failed to connect service "10.244.1.7:50051" within 1s: context deadline exceeded'),
])
def test_the_network_rule(probe, result, output):
    container = {"name": "c", "image": "nginx:1.27", "ports": [{"name": "metrics", "containerPort": 9090}]}
    assert _probe(container, probe, 1) == (result, output)


def test_a_shell_container_listens_only_on_its_declared_ports():
    container = {"name": "c", "image": "busybox:1.36", "command": ["sleep", "3600"]}
    assert _probe(container, {"tcpSocket": {"port": 8080}}, 1)[0] == probing.FAILURE
    container["ports"] = [{"containerPort": 8080}]
    assert _probe(container, {"tcpSocket": {"port": 8080}}, 1)[0] == probing.SUCCESS


def test_config_map_files_exist_and_empty_dirs_start_empty():
    container = {"name": "c", "image": "busybox:1.36", "command": ["sleep", "3600"],
                 "volumeMounts": [{"name": "cfg", "mountPath": "/config"}, {"name": "scratch", "mountPath": "/data"}]}
    env = _Env()
    env.volumes = [{"name": "cfg", "configMap": {"name": "app"}}, {"name": "scratch", "emptyDir": {}}]
    c = _run(container)
    check = lambda path: probing.evaluate(probing._Worker("readiness", {"exec": {"command": ["test", "-f", path]}}), c, 1, env)[0]
    assert check("/config/app.conf") == probing.SUCCESS
    assert check("/data") == probing.SUCCESS and check("/data/ready") == probing.FAILURE
