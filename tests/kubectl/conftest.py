"""Fixtures for the tests that drive the real kubectl against a real kubeplay server; the helpers
they hand out live in tests/kubectl_client.py."""
from __future__ import annotations

import itertools
import urllib.error
import re

import pytest

from kubectl_client import AGE, HASH, SUFFIX, TESTDATA, Kube, is_live, is_running_ready, parse_table, pod_name_re  # noqa: F401


@pytest.fixture
def kube(kubeplay_server) -> Kube:
    """A server of the test's own (for tests that change nodes, the clock or cluster-wide state)."""
    return Kube(kubeplay_server)


_ns_numbers = itertools.count(1)


def _namespaced(server, version: str, session_cls, tmp_path, request):
    slug = re.sub(r"[^a-z0-9]+", "-", request.node.originalname.lower().removeprefix("test_"))[:40].strip("-")
    ns = f"t{next(_ns_numbers)}-{slug}"
    server.post_json("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    session = session_cls(server, tmp_path / "kubectl", namespace=ns, version=version)
    yield Kube(session, ns, version)
    try:
        server.delete(f"/api/v1/namespaces/{ns}")
    except OSError:
        pass                                     # the server may be gone; nothing to clean


@pytest.fixture
def kube_ns(kubeplay_module_server, kubectl_version, kubectl_session, tmp_path, request) -> Kube:
    """The module's shared server, a namespace of the test's own (deleted afterwards), and each
    kubectl version in turn (the test runs once per version). For tests that touch nothing
    outside their namespace (no nodes, clock, or cluster-scoped objects): one server start serves
    the whole module, which pays for the second kubectl."""
    yield from _namespaced(kubeplay_module_server, kubectl_version, kubectl_session, tmp_path, request)


@pytest.fixture
def kube_token_ns(kubeplay_module_token_server, kubectl_version, kubectl_session, tmp_path, request) -> Kube:
    """As kube_ns, on the module's --token server (HTTPS: kubectl sends a bearer token, e.g. a
    ServiceAccount's, only over TLS). The namespace is made and deleted with kubectl, which holds
    the server's token."""
    server = kubeplay_module_token_server
    slug = re.sub(r"[^a-z0-9]+", "-", request.node.originalname.lower().removeprefix("test_"))[:40].strip("-")
    ns = f"t{next(_ns_numbers)}-{slug}"
    session = kubectl_session(server, tmp_path / "kubectl", namespace=ns, version=kubectl_version)
    session.kubectl("create", "namespace", ns)
    yield Kube(session, ns, kubectl_version)
    session.kubectl("delete", "namespace", ns, "--wait=false", check=False)


@pytest.fixture
def kube_shared(kubeplay_module_server, kubectl_session, tmp_path, request) -> Kube:
    """As kube_ns, with the kubectl at /usr/bin/kubectl (1.32) only."""
    yield from _namespaced(kubeplay_module_server, "1.32", kubectl_session, tmp_path, request)


@pytest.fixture
def kube_factory(kubeplay_factory):
    """kube_factory(state=path, ...) → a Kube on a new server (see kubeplay_factory)."""
    return lambda **kw: Kube(kubeplay_factory(**kw))


@pytest.fixture
def kube_default(kubeplay_module_server, kubectl_session, tmp_path) -> Kube:
    """The test's own kubectl (1.32; its own kubeconfig, HOME and cache) in `default` on the
    module's shared server: for tests that only read what the cluster keeps there (the kubernetes
    Service), in a module whose other tests keep to their own namespaces."""
    return Kube(kubectl_session(kubeplay_module_server, tmp_path / "kubectl", namespace="default"), "default")


CRONTAB_CRD = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com"


def _gone(server, path):
    def check():
        try:
            server.get_json(path)
        except urllib.error.HTTPError as e:
            return e.code == 404
        return False
    return check


@pytest.fixture
def kube_crontab(kubeplay_module_server, kubectl_version, kubectl_session, tmp_path) -> Kube:
    """The module's server in `default`, each kubectl version in turn, for the kubernetes.io CRD
    task's CronTab (stable.example.com). CRDs are cluster-wide, so the tests using it take turns
    (a module's tests run one after another, on one worker) and each finds the server without any
    CRD and leaves it so: the teardown deletes the CRD (its objects go with it) and waits until
    stable.example.com is no longer served."""
    server = kubeplay_module_server
    crds = server.get_json("/apis/apiextensions.k8s.io/v1/customresourcedefinitions")["items"]
    assert crds == [], f"a CRD left by an earlier test: {[c['metadata']['name'] for c in crds]}"
    kube = Kube(kubectl_session(server, tmp_path / "kubectl", namespace="default", version=kubectl_version),
                "default", kubectl_version)
    yield kube
    try:
        server.delete(CRONTAB_CRD)
    except urllib.error.HTTPError as e:
        if e.code != 404:
            raise
    server.wait_until(_gone(server, CRONTAB_CRD), timeout=30, message="the CRD is gone after the test")
    server.wait_until(lambda: "stable.example.com" not in str(server.get_json("/apis")), timeout=10,
                      message="stable.example.com no longer served")
