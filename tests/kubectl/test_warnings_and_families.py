"""What the apiserver says besides yes and no (issue 15), as the real kubectl shows it: the
`Warning:` headers of create, apply (client- and server-side), replace, patch and dry runs,
printed by kubectl as `Warning: <text>` on stderr; Services asking for IPv6 or dual-stack on
the single-stack IPv4 cluster refused with the apiserver's texts; the `kube-root-ca.crt`
ConfigMap in every namespace. Each test runs with both kubectl versions."""
from __future__ import annotations

POD = """apiVersion: v1
kind: Pod
metadata:
  name: legacy
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: runtime/default
    container.apparmor.security.beta.kubernetes.io/app: runtime/default
    scheduler.alpha.kubernetes.io/critical-pod: ""
spec:
  nodeSelector:
    beta.kubernetes.io/os: linux
  containers:
  - name: app
    image: nginx:1.27
"""

POD_WARNINGS = (
    'Warning: metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]: deprecated since v1.30; '
    'use the "appArmorProfile" field instead\n'
    'Warning: spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead\n'
    'Warning: metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; '
    'use the "priorityClassName" field instead\n'
    'Warning: metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: non-functional in v1.27+; '
    'use the "seccompProfile" field instead\n')

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: old-labels
spec:
  selector:
    matchLabels: {app: old-labels}
  template:
    metadata:
      labels: {app: old-labels}
    spec:
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions:
              - {key: beta.kubernetes.io/arch, operator: In, values: [amd64, arm64]}
      containers:
      - name: app
        image: nginx:1.27
"""

DEPLOYMENT_WARNING = (
    "Warning: spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
    ".nodeSelectorTerms[0].matchExpressions[0].key: beta.kubernetes.io/arch is deprecated since v1.14; "
    'use "kubernetes.io/arch" instead\n')


def test_pod_warnings_on_create_and_dry_runs(kube_ns):
    kube = kube_ns
    out = kube("apply", "--dry-run=server", "-f", "-", input=POD)
    assert (out.stdout, out.stderr) == ("pod/legacy created (server dry run)\n", POD_WARNINGS)
    out = kube("create", "-f", "-", input=POD)
    assert (out.stdout, out.stderr) == ("pod/legacy created\n", POD_WARNINGS)
    # The AppArmor annotation was copied into the field (the pod strategy's version skew).
    pod = kube.pod("legacy")
    assert pod["spec"]["containers"][0]["securityContext"] == {"appArmorProfile": {"type": "RuntimeDefault"}}


def test_pod_warnings_on_update_and_patch(kube_ns):
    kube = kube_ns
    kube("create", "-f", "-", input=POD)
    # An update (and a patch) of the pod is warned about again, without the create-only AppArmor copy.
    update_warnings = POD_WARNINGS.split("\n", 1)[1]
    out = kube("label", "pod", "legacy", "tier=web")
    assert (out.stdout, out.stderr) == ("pod/legacy labeled\n", update_warnings)
    out = kube("patch", "pod", "legacy", "--type=merge", "-p", '{"metadata":{"annotations":{"note":"x"}}}')
    assert (out.stdout, out.stderr) == ("pod/legacy patched\n", update_warnings)


def test_template_warnings_have_the_template_path(kube_ns):
    kube = kube_ns
    out = kube("apply", "-f", "-", input=DEPLOYMENT)
    assert (out.stdout, out.stderr) == ("deployment.apps/old-labels created\n", DEPLOYMENT_WARNING)
    # An apply that changes nothing in the spec moves no generation: no template warnings.
    out = kube("annotate", "deployment", "old-labels", "team=a")
    assert (out.stdout, out.stderr) == ("deployment.apps/old-labels annotated\n", "")
    # A spec change does.
    out = kube("apply", "--server-side", "-f", "-", input=DEPLOYMENT.replace("nginx:1.27", "nginx:1.28"))
    assert out.stdout == "deployment.apps/old-labels serverside-applied\n"
    assert out.stderr == DEPLOYMENT_WARNING
    # A PUT (kubectl replace) that changes the template is warned about too.
    out = kube("replace", "-f", "-", input=DEPLOYMENT.replace("nginx:1.27", "nginx:1.29"))
    assert (out.stdout, out.stderr) == ("deployment.apps/old-labels replaced\n", DEPLOYMENT_WARNING)


def test_unknown_field_is_a_warning_under_validate_warn(kube_ns):
    kube = kube_ns
    typo = DEPLOYMENT.replace("  selector:", "  replica: 2\n  selector:")
    out = kube("apply", "--validate=warn", "-f", "-", input=typo)
    assert out.stdout == "deployment.apps/old-labels created\n"
    assert out.stderr == 'Warning: unknown field "spec.replica"\n' + DEPLOYMENT_WARNING
    assert kube.deployment("old-labels")["spec"]["replicas"] == 1       # the unknown field was dropped
    # --validate=false asks for Ignore: no warning for the field, the object's own ones stay.
    out = kube("apply", "--validate=false", "-f", "-", input=typo.replace("old-labels", "quiet"))
    assert out.stderr == DEPLOYMENT_WARNING.replace("old-labels", "quiet")


def test_service_warnings(kube_ns):
    kube = kube_ns
    svc = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: odd\nspec:\n  selector: {app: x}\n"
           "  externalName: example.com\n  ports:\n  - port: 80\n")
    out = kube("apply", "-f", "-", input=svc)
    assert (out.stdout, out.stderr) == (
        "service/odd created\n", 'Warning: spec.externalName is ignored when spec.type is not "ExternalName"\n')


SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector: {{app: x}}\n  ports:\n  - port: 80\n"


def test_ipv6_and_dual_stack_are_refused_on_the_ipv4_cluster(kube_ns):
    kube = kube_ns
    out = kube("apply", "-f", "-", input=SERVICE.format(name="six") + "  ipFamilies: [IPv6]\n", check=False)
    assert out.returncode == 1
    assert out.stderr == ('The Service "six" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": '
                          "not configured on this cluster\n")
    out = kube("apply", "-f", "-", input=SERVICE.format(name="dual") + "  ipFamilyPolicy: RequireDualStack\n",
               check=False)
    assert out.returncode == 1
    assert out.stderr == ('The Service "dual" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": '
                          "this cluster is not configured for dual-stack services\n")
    out = kube("get", "svc", "six", "dual", check=False)
    assert out.stderr == ('Error from server (NotFound): services "six" not found\n'
                          'Error from server (NotFound): services "dual" not found\n')
    # PreferDualStack is accepted with the one family the cluster has.
    kube("apply", "-f", "-", input=SERVICE.format(name="prefer") + "  ipFamilyPolicy: PreferDualStack\n")
    out = kube("get", "svc", "prefer", "-o", "jsonpath={.spec.ipFamilyPolicy} {.spec.ipFamilies} {.spec.clusterIPs}")
    policy, families, ips = out.stdout.split(" ")
    assert (policy, families) == ("PreferDualStack", '["IPv4"]')
    assert ips.startswith('["10.') and "," not in ips
    # And the default stays SingleStack/IPv4.
    kube("apply", "-f", "-", input=SERVICE.format(name="plain"))
    out = kube("get", "svc", "plain", "-o", "jsonpath={.spec.ipFamilyPolicy} {.spec.ipFamilies}")
    assert out.stdout == 'SingleStack ["IPv4"]'


def test_kube_root_ca_in_a_new_namespace(kube_ns):
    kube = kube_ns

    def published():
        out = kube("get", "configmaps")
        names, rows = kube.parse_table(out.stdout)
        assert names == ["NAME", "DATA", "AGE"] and [(r["NAME"], r["DATA"]) for r in rows] == [("kube-root-ca.crt", "1")], out.stdout
        return True
    kube.server.wait_until(published, 30, message="kube-root-ca.crt published")
    cert = kube("get", "cm", "kube-root-ca.crt", "-o", r"jsonpath={.data.ca\.crt}").stdout
    assert cert.startswith("-----BEGIN CERTIFICATE-----\n") and cert.endswith("-----END CERTIFICATE-----\n")
    out = kube("get", "cm", "kube-root-ca.crt", "-o", r"jsonpath={.metadata.annotations.kubernetes\.io/description}")
    assert out.stdout.startswith("Contains a CA bundle that can be used to verify the kube-apiserver")
    # Deleted, it comes back (the publisher watches its ConfigMaps).
    before = kube("get", "cm", "kube-root-ca.crt", "-o", "jsonpath={.metadata.uid}").stdout
    kube("delete", "cm", "kube-root-ca.crt")

    def back():
        uid = kube("get", "cm", "kube-root-ca.crt", "-o", "jsonpath={.metadata.uid}", check=False).stdout
        assert uid and uid != before
        return True
    kube.server.wait_until(back, 30, message="kube-root-ca.crt published again")
