"""The image catalog (engine/data/images.json, docs/images.md): the file is well formed, the pull
rules read it (known, plausible unknown, typo, absent tag), and images behave as it says — the
docs' agnhost liveness example restarts when /healthz turns 500, an init container that fetches
a page finishes, the docs' images pull and run."""
import copy
import json

import pytest

from engine import image_catalog, resources as kinds
from engine.clock import EPOCH
from engine.kubelet import doing, images
from pod_helpers import catalog_servers

DENIED = "pull access denied, repository does not exist or may require authorization"


def pod(name, containers, *, init=None, restart=None, volumes=None):
    spec = {"containers": containers}
    if volumes:
        spec["volumes"] = volumes
    if init:
        spec["initContainers"] = init
    if restart:
        spec["restartPolicy"] = restart
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def get(c, name):
    return c.store.get(kinds.POD, "default", name)


def at(c, seconds):
    c.advance(EPOCH + seconds - c.clock.now())


def events(c, name, reason):
    items, _ = c.store.list(kinds.EVENT, "default")
    return [e for e in items if e["involvedObject"]["name"] == name and e["reason"] == reason]


# ---- the file ------------------------------------------------------------------------------------

def test_the_catalog_validates():
    assert image_catalog.validate() == []


def test_the_schema_check_finds_mistakes():
    bad = copy.deepcopy(image_catalog.data())
    bad["images"][0]["behaviour"] = {"does": "dance", "colour": "red"}
    bad["images"][1]["tags"] = {"versions": "(unclosed"}
    bad["images"][2]["ports"] = [0]
    bad["images"].append(dict(bad["images"][3]))
    bad["images"][4]["filesystem"] = {"base": "plan9"}
    del bad["tools"]
    problems = "\n".join(image_catalog.validate(bad))
    for text in ("does must be one of", "unknown behaviour key 'colour'", "versions regex", "ports must be port numbers",
                 "listed twice", "no base 'plan9'", "missing top-level 'tools'"):
        assert text in problems


def test_the_catalog_is_the_only_place_images_are_named():
    """The facts the code used to hold (repositories, tag words, sizes, which images exit at once,
    ports, usage, filesystems) come from the one data file."""
    with open(image_catalog.DATA_FILE, encoding="utf-8") as f:
        data = json.load(f)
    repos = {e["repository"] for e in data["images"]}
    for r in ("docker.io/library/nginx", "registry.k8s.io/e2e-test-images/agnhost", "registry.k8s.io/pause",
              "registry.k8s.io/etcd", "registry.k8s.io/goproxy", "docker.io/vish/stress", "docker.io/polinux/stress",
              "gcr.io/google-samples/node-hello", "gcr.io/google-samples/hello-app", "docker.io/fluent/fluentd",
              "docker.io/fluent/fluent-bit", "registry.k8s.io/fluentd-elasticsearch",
              "us-docker.pkg.dev/google-samples/containers/gke/gb-frontend"):
        assert r in repos
    assert images.parse("nginx:1.27").size == 72_099_501            # the catalog's size
    assert image_catalog.entry("docker.io/library/busybox")["behaviour"]["does"] == "exit"


# ---- pull rules ----------------------------------------------------------------------------------

@pytest.mark.parametrize("image", [
    "nginx", "nginx:1.27", "busybox:1.36", "docker.io/alpine", "vish/stress", "polinux/stress",
    "gcr.io/google-samples/node-hello:1.0", "registry.k8s.io/etcd:3.5.1-0", "registry.k8s.io/goproxy:0.1",
    "registry.k8s.io/e2e-test-images/agnhost:2.40", "fluent/fluentd:v1.16-1", "fluent/fluent-bit:3.2",
    "quay.io/fluentd_elasticsearch/fluentd:v2.5.2", "registry.k8s.io/fluentd-elasticsearch:1.20",
    "us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5", "gcr.io/google-samples/hello-app:2.0",
    "k8s.gcr.io/fluentd-elasticsearch:1.20", "k8s.gcr.io/pause:3.1", "registry.k8s.io/e2e-test-images/busybox:1.29-1",
])
def test_known_images_pull(image):
    assert images.pull_error(images.parse(image)) is None


@pytest.mark.parametrize("image", ["myorg/myapp:v9", "ghcr.io/someone/tool:sha-1a2b3c", "app:weird_tag",
                                   "quay.io/acme/widget", "traefik/whoami:v1.10"])
def test_a_plausible_unknown_image_pulls(image):
    assert images.pull_error(images.parse(image)) is None


@pytest.mark.parametrize("image", ["ngnix", "nginy:1.27", "busybx", "reddis:7", "registry.k8s.io/pauze:3.10",
                                   "registry.k8s.io/e2e-test-images/agnhots:2.40", "k8s.gcr.io/pauze:3.1"])
def test_a_typo_of_a_known_image_is_denied(image):
    err = images.pull_error(images.parse(image))
    assert err is not None and DENIED in err and err.startswith("rpc error: code = Unknown desc = ")


@pytest.mark.parametrize("image", ["nginx:1.2.3.4", "nginx:99.99", "nginx:lates", "registry.k8s.io/goproxy:0.2",
                                   "registry.k8s.io/e2e-test-images/agnhost:9.99", "busybox:7",
                                   "k8s.gcr.io/pause:99.1"])
def test_an_absent_tag_of_a_known_image_is_not_found(image):
    ref = images.parse(image)
    assert images.pull_error(ref) == (f'rpc error: code = NotFound desc = failed to pull and unpack image "{ref.name}": '
                                      f'failed to resolve reference "{ref.name}": {ref.name}: not found')


def test_a_typo_waits_in_image_pull_back_off(cluster):
    cluster.store.create(pod("typo", [{"name": "c", "image": "ngnix:1.27"}]))
    cluster.advance(3)
    state = get(cluster, "typo")["status"]["containerStatuses"][0]["state"]["waiting"]
    assert state["reason"] in ("ErrImagePull", "ImagePullBackOff") and DENIED in state["message"]
    assert events(cluster, "typo", "Failed")[0]["message"].startswith('Failed to pull image "ngnix:1.27": rpc error')


# ---- behaviour -----------------------------------------------------------------------------------

LIVENESS = {  # kubernetes.io content/en/examples/pods/probe/http-liveness.yaml
    "name": "liveness", "image": "registry.k8s.io/e2e-test-images/agnhost:2.40", "args": ["liveness"],
    "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080,
                                  "httpHeaders": [{"name": "Custom-Header", "value": "Awesome"}]},
                      "initialDelaySeconds": 3, "periodSeconds": 3}}


def test_the_docs_agnhost_liveness_example_restarts_when_healthz_turns_500(cluster):
    cluster.store.create(pod("liveness-http", [LIVENESS]))
    at(cluster, 9)
    cs = get(cluster, "liveness-http")["status"]["containerStatuses"][0]
    assert "running" in cs["state"] and cs["restartCount"] == 0
    assert not events(cluster, "liveness-http", "Unhealthy")
    # /healthz answers 500 from 10 s after the start; three failures 3 s apart kill it.
    for _ in range(40):
        cluster.advance(1)
        if get(cluster, "liveness-http")["status"]["containerStatuses"][0]["restartCount"] >= 1:
            break
    cs = get(cluster, "liveness-http")["status"]["containerStatuses"][0]
    assert cs["restartCount"] == 1
    assert 18 <= cluster.clock.now() - EPOCH <= 25
    unhealthy = events(cluster, "liveness-http", "Unhealthy")
    assert unhealthy and unhealthy[0]["message"] == "Liveness probe failed: HTTP probe failed with statuscode: 500"
    killing = events(cluster, "liveness-http", "Killing")
    assert killing[0]["message"] == "Container liveness failed liveness probe, will be restarted"


def test_an_init_container_that_fetches_a_page_finishes(cluster):
    # kubernetes.io content/en/examples/pods/init-containers.yaml
    cluster.store.create(pod("init-demo", [{"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80}],
                                            "volumeMounts": [{"name": "workdir", "mountPath": "/usr/share/nginx/html"}]}],
                             init=[{"name": "install", "image": "busybox:1.28",
                                    "command": ["wget", "-O", "/work-dir/index.html", "http://info.cern.ch"],
                                    "volumeMounts": [{"name": "workdir", "mountPath": "/work-dir"}]}],
                             volumes=[{"name": "workdir", "emptyDir": {}}]))
    for _ in range(30):
        cluster.advance(1)
        if get(cluster, "init-demo")["status"].get("phase") == "Running" and all(
                "running" in s["state"] for s in get(cluster, "init-demo")["status"].get("containerStatuses") or [{}]):
            break
    st = get(cluster, "init-demo")["status"]
    init = st["initContainerStatuses"][0]["state"]["terminated"]
    assert (init["exitCode"], init["reason"]) == (0, "Completed")
    assert st["phase"] == "Running" and cluster.clock.now() - EPOCH <= 12


@pytest.mark.parametrize("container", [
    {"name": "c", "image": "vish/stress", "args": ["-cpus", "1"]},
    {"name": "c", "image": "polinux/stress", "command": ["stress"], "args": ["--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"]},
    {"name": "c", "image": "gcr.io/google-samples/node-hello:1.0", "ports": [{"containerPort": 8080}]},
    {"name": "c", "image": "registry.k8s.io/goproxy:0.1", "ports": [{"containerPort": 8080}],
     "readinessProbe": {"tcpSocket": {"port": 8080}, "initialDelaySeconds": 5, "periodSeconds": 10}},
    {"name": "c", "image": "registry.k8s.io/etcd:3.5.1-0",
     "command": ["/usr/local/bin/etcd", "--data-dir", "/var/lib/etcd", "--listen-client-urls", "http://0.0.0.0:2379"],
     "livenessProbe": {"grpc": {"port": 2379}, "initialDelaySeconds": 10}},
    {"name": "c", "image": "quay.io/fluentd_elasticsearch/fluentd:v2.5.2"},
    {"name": "c", "image": "docker.io/alpine", "command": ["sleep", "3600"]},
])
def test_the_docs_images_pull_and_keep_running(cluster, container):
    cluster.store.create(pod("p", [container]))
    at(cluster, 60)
    cs = get(cluster, "p")["status"]["containerStatuses"][0]
    assert "running" in cs["state"] and cs["restartCount"] == 0 and cs["ready"] is True


def test_a_shell_image_with_no_command_exits_at_once_and_crash_loops(cluster):
    cluster.store.create(pod("sh", [{"name": "c", "image": "busybox:1.36"}]))
    at(cluster, 40)
    cs = get(cluster, "sh")["status"]["containerStatuses"][0]
    assert cs["restartCount"] >= 2 and cs["lastState"]["terminated"]["exitCode"] == 0


def test_what_a_container_is_doing_reads_the_catalog():
    assert doing.container_doing({"image": "nginx"}) == "serving on :80"
    assert doing.container_doing({"image": "busybox", "command": ["sleep", "3600"]}) == "runs 3600 s, then exits 0"
    assert doing.container_doing(LIVENESS) == "serving on :8080; /healthz answers 200 for 10 s, then 500"
    assert doing.container_doing({"image": "polinux/stress", "command": ["stress"],
                                  "args": ["--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"]}) == \
        "running until stopped, allocating 150Mi"
    assert doing.container_doing({"image": "registry.k8s.io/e2e-test-images/agnhost:2.40",
                                  "args": ["netexec", "--http-port=8081"]}).startswith("serving on :8081")


def test_what_a_container_is_doing_says_first_where_it_is(cluster):
    """The details panel's "Doing" of a container that is not running its image yet (or any
    more): not on a node, waiting with the kubelet's reason, finished with its exit."""
    big = {"name": "web", "image": "nginx", "resources": {"requests": {"cpu": "500"}}}     # fits no node
    cluster.store.create(pod("pending", [big]))
    cluster.store.create(pod("pull", [{"name": "web", "image": "nginx:no-such-tag"}]))
    cluster.store.create(pod("init", [{"name": "web", "image": "nginx"}],
                             init=[{"name": "wait", "image": "busybox:1.36", "command": ["sleep", "5"]}]))
    at(cluster, 2)
    assert doing.pod_doing(get(cluster, "pending"))[0]["doing"] == \
        "not started: the pod is not on a node yet; when it runs: serving on :80"
    assert [d["doing"] for d in doing.pod_doing(get(cluster, "init"))] == [
        "runs 5 s, then exits 0", "waiting (PodInitializing); when it runs: serving on :80"]
    at(cluster, 30)
    assert doing.pod_doing(get(cluster, "pull"))[0]["doing"] in (
        "waiting (ErrImagePull); when it runs: serving on :80", "waiting (ImagePullBackOff); when it runs: serving on :80")
    assert [d["doing"] for d in doing.pod_doing(get(cluster, "init"))] == [
        "finished (exit 0, Completed): runs 5 s, then exits 0", "serving on :80"]
    # a container the kubelet has not reported yet is being created; an invalid image never runs
    assert doing.in_state("serving on :80", True, None) == "waiting (ContainerCreating); when it runs: serving on :80"
    bad = doing.container_doing({"image": "UPPER:case"})
    assert doing.in_state(bad, False, None) == bad == "not started: the image name is invalid"


def test_every_port_the_probes_find_listening_answers_a_pods_curl_as_the_image_does():
    """images.json decides which ports the probes and kubectl port-forward find listening,
    servers.json what a pod's curl gets there: for every catalog image that runs its server the
    two name the same ports, each modelled (an HTTP answer, or `tcp` for a server that is not
    HTTP), none left to the default page an image the catalog does not know gets — so a new
    catalog entry with ports and no server entry fails here. `probe_only` lists, by design, the
    ports the catalog gives every tag but the image opens only when configured (servers.json's
    _comment says why)."""
    from engine.kubelet import servers
    probe_only = servers.catalog()["probe_only"]
    checked = 0
    for image, container, probed in catalog_servers():
        ref = images.parse(image)
        heard = servers.listeners(ref, container)
        assert "default" not in {lst.kind for lst in heard}, image
        assert {lst.port for lst in heard} == probed - set(probe_only.get(ref.repository, ())), image
        checked += 1
    assert checked > 60
    # the exceptions are real catalog ports, and a tag that turns the server on opens them
    for repository, ports in probe_only.items():
        assert set(ports) <= set(image_catalog.lookup(repository)["ports"])
    assert {lst.port for lst in servers.listeners(images.parse("rabbitmq:3-management"), {})} == {5672, 15672}


def test_every_modelled_http_port_answers_at_its_root():
    """Each HTTP port of the catalog's images gives a status with its reason phrase at `/` (no
    entry is missing a field its kind needs), and a TLS port answers plain HTTP as Go does."""
    from engine.kubelet import servers
    for image, container, _ in catalog_servers():
        ref = images.parse(image)
        for lst in servers.listeners(ref, container):
            if lst.kind in ("tcp", "ingress"):
                continue
            req = servers.Request("GET", "/", "svc", [("User-Agent", "curl/8.11.1")], client_ip="10.244.1.9")
            resp = servers.answer(lst, req, hostname="p", pod_labels={}, ref=ref, fs=None, now=EPOCH)
            assert resp.reason and 200 <= resp.status < 600, (image, lst.port)
            if lst.conf.get("tls"):
                assert (resp.status, resp.body) == (400, b"Client sent an HTTP request to an HTTPS server.\n")
