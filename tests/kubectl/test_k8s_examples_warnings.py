"""A selection of the Kubernetes documentation's own example manifests
(tests/kubectl/testdata/k8s-examples-warnings/, from kubernetes/website content/en/examples/), applied one
by one with the real kubectl (both versions): for each, acceptance or the apiserver's exact
refusal, the warnings kubectl prints, and the state a v1.32 single-stack IPv4 cluster reaches."""
from __future__ import annotations

import pytest

from tests.kubectl.conftest import TESTDATA

EXAMPLES = TESTDATA / "k8s-examples-warnings"


def apply(kube, name, check=True):
    return kube("apply", "-f", str(EXAMPLES / name), check=check)


def test_every_example_names_its_source():
    for path in sorted(EXAMPLES.glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# Source: kubernetes/website content/en/examples/"), path.name


def test_nginx_deployment_runs_three_pods_without_warnings(kube_ns):
    out = apply(kube_ns, "nginx-deployment.yaml")
    assert (out.stdout, out.stderr) == ("deployment.apps/nginx-deployment created\n", "")
    kube_ns.wait_rolled_out("nginx-deployment")
    kube_ns.wait_running("app.kubernetes.io/name=nginx", 3)


def test_grpc_liveness_probe_gets_its_service_default_and_describes(kube_ns):
    out = apply(kube_ns, "grpc-liveness.yaml")
    assert (out.stdout, out.stderr) == ("pod/etcd-with-grpc created\n", "")
    probe = kube_ns.pod("etcd-with-grpc")["spec"]["containers"][0]["livenessProbe"]
    assert probe == {"grpc": {"port": 2379, "service": ""}, "initialDelaySeconds": 10, "timeoutSeconds": 1,
                     "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
    out = kube_ns("describe", "pod", "etcd-with-grpc")      # a real describe dereferences service
    thresholds = "successThreshold=1 failureThreshold=3" if kube_ns.new else "#success=1 #failure=3"
    assert f"    Liveness:       grpc <pod>:2379  delay=10s timeout=1s period=10s {thresholds}\n" in out.stdout


def test_pod_nginx_waits_for_a_disktype_ssd_node(kube_ns):
    out = apply(kube_ns, "pod-nginx.yaml")
    assert (out.stdout, out.stderr) == ("pod/nginx created\n", "")

    def unschedulable():
        pod = kube_ns.pod("nginx")
        cond = {c["type"]: c for c in pod["status"].get("conditions") or ()}
        assert pod["status"]["phase"] == "Pending" and cond["PodScheduled"]["reason"] == "Unschedulable", pod["status"]
        return True
    kube_ns.server.wait_until(unschedulable, 30, message="nginx pod Unschedulable")


def test_hello_apparmor_annotation_is_deprecated_and_copied_into_the_field(kube_ns):
    out = apply(kube_ns, "hello-apparmor.yaml")
    assert out.stdout == "pod/hello-apparmor created\n"
    assert out.stderr == ("Warning: metadata.annotations[container.apparmor.security.beta.kubernetes.io/hello]: "
                          'deprecated since v1.30; use the "appArmorProfile" field instead\n')
    sc = kube_ns.pod("hello-apparmor")["spec"]["containers"][0]["securityContext"]
    assert sc == {"appArmorProfile": {"type": "Localhost", "localhostProfile": "k8s-apparmor-example-deny-write"}}


def test_hostaliases_pod_is_accepted_as_written(kube_ns):
    out = apply(kube_ns, "hostaliases-pod.yaml")
    assert (out.stdout, out.stderr) == ("pod/hostaliases-pod created\n", "")
    spec = kube_ns.pod("hostaliases-pod")["spec"]
    assert spec["hostAliases"] == [{"ip": "127.0.0.1", "hostnames": ["foo.local", "bar.local"]},
                                   {"ip": "10.1.2.3", "hostnames": ["foo.remote", "bar.remote"]}]


@pytest.mark.parametrize("name, policy", [("dual-stack-default-svc.yaml", "SingleStack"),
                                          ("dual-stack-preferred-svc.yaml", "PreferDualStack")])
def test_dual_stack_pages_services_get_ipv4_alone(kube_ns, name, policy):
    out = apply(kube_ns, name)
    assert (out.stdout, out.stderr) == ("service/my-service created\n", "")
    out = kube_ns("get", "svc", "my-service", "-o", "jsonpath={.spec.ipFamilyPolicy} {.spec.ipFamilies}")
    assert out.stdout == f'{policy} ["IPv4"]'


@pytest.mark.parametrize("name", ["dual-stack-ipfamilies-ipv6.yaml", "dual-stack-preferred-ipfamilies-svc.yaml"])
def test_dual_stack_pages_ipv6_services_are_refused(kube_ns, name):
    out = apply(kube_ns, name, check=False)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr == ('The Service "my-service" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": '
                          "not configured on this cluster\n")
    assert kube_ns("get", "svc", "my-service", check=False).returncode == 1
