"""Issue 12 item 5, storage through the real kubectl (both versions): the kubernetes.io StatefulSet
with volumeClaimTemplates (application/web/web.yaml) gets its claims `www-web-0`, `www-web-1`
provisioned by kind's default class and re-attached to a replacement pod; the mysql example
(application/mysql) is Pending on its missing claim with the scheduler's text and runs once the
PersistentVolume and claim exist; a static volume binds; get/describe/delete of each kind."""
from __future__ import annotations

import re

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def pvc_json(kube, name):
    return kube.server.get_json(f"/api/v1/namespaces/{kube.ns}/persistentvolumeclaims/{name}")


def node_count(kube) -> int:
    return len(kube.server.get_json("/api/v1/nodes")["items"])


def test_get_storageclass_shows_kinds_default_class(kube_ns):
    kube = kube_ns
    header, rows = kube.table("get", "storageclass")
    assert header == ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"]
    row = next(r for r in rows if r["NAME"].startswith("standard"))
    assert row["NAME"] == "standard (default)"
    assert (row["PROVISIONER"], row["RECLAIMPOLICY"], row["VOLUMEBINDINGMODE"], row["ALLOWVOLUMEEXPANSION"]) == \
        ("rancher.io/local-path", "Delete", "WaitForFirstConsumer", "false")
    out = kube("describe", "sc", "standard").stdout
    assert re.search(r"^IsDefaultClass:\s+Yes$", out, re.M), out
    assert re.search(r"^Provisioner:\s+rancher.io/local-path$", out, re.M), out
    assert re.search(r"^VolumeBindingMode:\s+WaitForFirstConsumer$", out, re.M), out


def test_the_web_statefulset_gets_bound_claims_that_reattach_to_a_replacement_pod(kube_ns):
    kube = kube_ns
    out = kube("apply", "-f", kube.file("web.yaml"))
    assert out.stdout == "service/nginx created\nstatefulset.apps/web created\n", out.stdout + out.stderr
    assert kube.wait_running("app=nginx", 2, timeout=60) == ["web-0", "web-1"]

    header, rows = kube.table("get", "pvc")
    assert header == ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
                      "VOLUMEATTRIBUTESCLASS", "AGE"]
    assert [r["NAME"] for r in rows] == ["www-web-0", "www-web-1"]
    for r in rows:
        assert (r["STATUS"], r["CAPACITY"], r["ACCESS MODES"], r["STORAGECLASS"], r["VOLUMEATTRIBUTESCLASS"]) == \
            ("Bound", "1Gi", "RWO", "standard", "<unset>"), r
        assert re.fullmatch(f"pvc-{UUID}", r["VOLUME"]), r
    volumes = {r["NAME"]: r["VOLUME"] for r in rows}

    header, rows = kube.table("get", "pv")
    assert header == ["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS",
                      "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"]
    mine = {r["CLAIM"]: r for r in rows if r["CLAIM"].startswith(kube.ns + "/")}
    assert sorted(mine) == [f"{kube.ns}/www-web-0", f"{kube.ns}/www-web-1"]
    row = mine[f"{kube.ns}/www-web-0"]
    assert (row["NAME"], row["CAPACITY"], row["ACCESS MODES"], row["RECLAIM POLICY"], row["STATUS"],
            row["STORAGECLASS"]) == (volumes["www-web-0"], "1Gi", "RWO", "Delete", "Bound", "standard")

    desc = kube("describe", "pvc", "www-web-0").stdout
    assert re.search(r"^Status:\s+Bound$", desc, re.M), desc
    assert re.search(rf"^Volume:\s+{volumes['www-web-0']}$", desc, re.M), desc
    assert re.search(r"^Used By:\s+web-0$", desc, re.M), desc
    for reason in ("WaitForFirstConsumer", "ExternalProvisioning", "Provisioning", "ProvisioningSucceeded"):
        assert re.search(rf"^\s+Normal\s+{reason}\s", desc, re.M), desc
    desc = kube("describe", "pv", volumes["www-web-0"]).stdout
    assert re.search(rf"^Claim:\s+{kube.ns}/www-web-0$", desc, re.M), desc
    assert re.search(r"^Source:\s*\n\s+Type:\s+HostPath", desc, re.M), desc

    sts_events = kube("get", "events", "--field-selector", "involvedObject.kind=StatefulSet",
                      "-o", "jsonpath={range .items[*]}{.message}{'\\n'}{end}").stdout.splitlines()
    assert sts_events[:2] == ["create Claim www-web-0 Pod web-0 in StatefulSet web success",
                              "create Pod web-0 in StatefulSet web successful"]

    # A pod deleted: its replacement mounts the same claim, bound to the same volume.
    old_uid = kube.pod("web-0")["metadata"]["uid"]
    # --wait=false: kubectl waits for a deletion by GETting the pod, then list+watching its *name* for
    # a DELETED event. A StatefulSet recreates web-0 under the same name; when the old pod goes and
    # the new one arrives between kubectl's GET and its list (a real kubectl race, widened here by
    # the 20x clock making the 2 s grace 100 ms and by a loaded machine), kubectl waits forever.
    out = kube("delete", "pod", "web-0", "--wait=false")
    assert out.stdout == kube.deleted('pod "web-0"'), out.stdout + out.stderr

    def replaced():
        p = kube.pod("web-0")
        assert p["metadata"]["uid"] != old_uid and kube.is_running_ready(p), p.get("status")
        return p
    p = kube.server.wait_until(replaced, 60, message="web-0 replaced and Running")
    assert {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}} in p["spec"]["volumes"]
    assert pvc_json(kube, "www-web-0")["spec"]["volumeName"] == volumes["www-web-0"]

    # Deleting the StatefulSet leaves the claims (persistentVolumeClaimRetentionPolicy Retain).
    kube("delete", "-f", kube.file("web.yaml"))
    kube.server.wait_until(lambda: not [p for p in kube.pods("app=nginx")], 60, message="web pods gone")
    header, rows = kube.table("get", "pvc")
    assert [r["NAME"] for r in rows] == ["www-web-0", "www-web-1"]
    out = kube("delete", "pvc", "www-web-0", "www-web-1")
    assert out.stdout == kube.deleted('persistentvolumeclaim "www-web-0"') + \
        kube.deleted('persistentvolumeclaim "www-web-1"'), out.stdout + out.stderr

    def volumes_gone():
        names = {v["metadata"]["name"] for v in kube.server.get_json("/api/v1/persistentvolumes")["items"]}
        assert not names & set(volumes.values()), names
        return True
    kube.server.wait_until(volumes_gone, 30, message="the provisioned volumes deleted (reclaimPolicy Delete)")


def test_mysql_is_pending_on_its_missing_claim_and_runs_once_the_volume_and_claim_exist(kube_ns):
    kube = kube_ns
    out = kube("apply", "-f", kube.file("mysql-deployment.yaml"))
    assert out.stdout == "service/mysql created\ndeployment.apps/mysql created\n", out.stdout + out.stderr
    n = node_count(kube)
    want = (f'0/{n} nodes are available: persistentvolumeclaim "mysql-pv-claim" not found. preemption: '
            f'0/{n} nodes are available: {n} Preemption is not helpful for scheduling.')

    def pending():
        pods = kube.pods("app=mysql")
        assert len(pods) == 1
        cond = next((c for c in pods[0]["status"].get("conditions") or () if c["type"] == "PodScheduled"), {})
        assert cond.get("message") == want, cond
        return pods[0]["metadata"]["name"]
    name = kube.server.wait_until(pending, 30, message="mysql pod unschedulable")
    header, rows = kube.table("get", "pods")
    assert [(r["NAME"], r["STATUS"]) for r in rows] == [(name, "Pending")]
    desc = kube("describe", "pod", name).stdout
    assert "Warning  FailedScheduling" in desc and want in desc.replace("\n  ", " ").replace("  ", " ") or \
        want in re.sub(r"\s+", " ", desc), desc

    # The PersistentVolume (class `manual`, no such StorageClass: bound statically) and its claim.
    pv_name = "mysql-pv-volume"
    out = kube("apply", "-f", kube.file("mysql-pv.yaml"))
    assert out.stdout == f"persistentvolume/{pv_name} created\npersistentvolumeclaim/mysql-pv-claim created\n", \
        out.stdout + out.stderr
    kube.wait_running("app=mysql", 1, timeout=60)
    header, rows = kube.table("get", "pvc", "mysql-pv-claim")
    assert (rows[0]["STATUS"], rows[0]["VOLUME"], rows[0]["CAPACITY"], rows[0]["STORAGECLASS"]) == \
        ("Bound", pv_name, "20Gi", "manual")
    header, rows = kube.table("get", "pv", pv_name)
    assert (rows[0]["STATUS"], rows[0]["CLAIM"], rows[0]["RECLAIM POLICY"]) == \
        ("Bound", f"{kube.ns}/mysql-pv-claim", "Retain")

    # Tear down as the tutorial does; the Retain volume is Released, then deleted by hand.
    kube("delete", "deployment,svc", "mysql")
    kube.server.wait_until(lambda: not kube.pods("app=mysql"), 60, message="mysql pods gone")
    out = kube("delete", "pvc", "mysql-pv-claim")
    assert out.stdout == kube.deleted('persistentvolumeclaim "mysql-pv-claim"'), out.stdout + out.stderr

    def released():
        header, rows = kube.table("get", "pv", pv_name)
        assert rows[0]["STATUS"] == "Released", rows
        return True
    kube.server.wait_until(released, 30, message="the volume Released")
    out = kube("delete", "pv", pv_name)
    assert out.stdout == f'persistentvolume "{pv_name}" deleted\n', out.stdout + out.stderr
    out = kube("get", "pv", pv_name, check=False)
    assert out.stderr.strip() == f'Error from server (NotFound): persistentvolumes "{pv_name}" not found'


def test_a_static_volume_binds_the_smallest_fit_and_errors_read_as_the_apiservers(kube_ns, tmp_path):
    kube = kube_ns
    cls = f"slow-{kube.ns}"[:60]
    manifest = tmp_path / "static.yaml"
    manifest.write_text(f"""\
apiVersion: v1
kind: PersistentVolume
metadata:
  name: {kube.ns}-small
spec:
  storageClassName: {cls}
  capacity: {{storage: 2Gi}}
  accessModes: [ReadWriteOnce]
  hostPath: {{path: /tmp/small}}
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: {kube.ns}-big
spec:
  storageClassName: {cls}
  capacity: {{storage: 50Gi}}
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  persistentVolumeReclaimPolicy: Delete
  hostPath: {{path: /tmp/big}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: claim
spec:
  storageClassName: {cls}
  accessModes: [ReadWriteOnce]
  resources: {{requests: {{storage: 1Gi}}}}
""")
    kube("apply", "-f", str(manifest))

    def bound():
        header, rows = kube.table("get", "pvc", "claim")
        assert rows[0]["STATUS"] == "Bound", rows
        return rows[0]
    row = kube.server.wait_until(bound, 30, message="claim bound")
    assert (row["VOLUME"], row["CAPACITY"], row["ACCESS MODES"]) == (f"{kube.ns}-small", "2Gi", "RWO")
    header, rows = kube.table("get", "pv", f"{kube.ns}-big")
    assert (rows[0]["STATUS"], rows[0]["ACCESS MODES"], rows[0]["CLAIM"]) == ("Available", "RWO,ROX", "")
    pvc = pvc_json(kube, "claim")
    assert pvc["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] == "yes"
    assert pvc["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]

    # The spec is immutable; the class does not allow expansion.
    out = kube("patch", "pvc", "claim", "-p", '{"spec":{"accessModes":["ReadWriteMany"]}}', check=False)
    assert out.returncode != 0
    assert out.stderr.startswith('The PersistentVolumeClaim "claim" is invalid: spec: Forbidden: spec is immutable '
                                 'after creation except resources.requests and volumeAttributesClassName for bound '
                                 'claims'), out.stderr
    out = kube("patch", "pvc", "claim", "-p", '{"spec":{"resources":{"requests":{"storage":"3Gi"}}}}', check=False)
    assert out.stderr.strip() == ('Error from server (Forbidden): persistentvolumeclaims "claim" is forbidden: only '
                                  'dynamically provisioned pvc can be resized and the storageclass that provisions '
                                  'the pvc must support resize'), out.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: bad\nspec: {}\n")
    out = kube("create", "-f", str(bad), check=False)
    assert out.stderr.strip() == ('The PersistentVolumeClaim "bad" is invalid: \n* spec.accessModes: Required value: '
                                  'at least 1 access mode is required\n* spec.resources[storage]: Required value'), \
        out.stderr

    # Deleting everything: the claim first (the volume is Released, Retain), then the volumes.
    out = kube("delete", "-f", str(manifest))
    assert out.returncode == 0, out.stderr
    kube.server.wait_until(
        lambda: not [v for v in kube.server.get_json("/api/v1/persistentvolumes")["items"]
                     if v["metadata"]["name"].startswith(kube.ns + "-")], 30, message="volumes deleted")


def test_explain_and_server_side_apply_know_the_storage_kinds(kube_ns, tmp_path):
    kube = kube_ns
    out = kube("explain", "pvc.spec.accessModes").stdout
    assert "KIND:       PersistentVolumeClaim" in out and "accessModes contains the desired access modes" in out, out
    out = kube("explain", "storageclass.volumeBindingMode").stdout
    assert "GROUP:      storage.k8s.io" in out, out
    manifest = tmp_path / "claim.yaml"
    manifest.write_text("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: ssa\nspec:\n"
                        "  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n")
    out = kube("apply", "--server-side", "-f", str(manifest))
    assert out.stdout == "persistentvolumeclaim/ssa serverside-applied\n", out.stdout + out.stderr
    claim = pvc_json(kube, "ssa")
    assert claim["spec"]["storageClassName"] == "standard"         # DefaultStorageClass admission
    assert claim["status"]["phase"] == "Pending"
    out = kube("delete", "pvc", "ssa")
    assert out.stdout == kube.deleted('persistentvolumeclaim "ssa"'), out.stdout + out.stderr


def _without_event_ages(text: str) -> list[str]:
    """describe's lines with the Events table's Age column blanked and its cells split (kubectl
    computes ages from its own clock, the terminal from the simulated one, and the columns' widths
    follow)."""
    out, in_events = [], False
    for line in text.rstrip("\n").split("\n"):
        if line.startswith("Events:"):
            in_events = True
        if in_events and line.startswith("  "):
            cells = re.split(r"\s{2,}", line.strip(), maxsplit=4)
            line = " | ".join(cells[:2] + ["AGE"] + cells[3:])      # the widths follow the ages
        out.append(line)
    return out


def test_the_page_terminals_describe_matches_kubectls_for_pvc_pv_and_storageclass(kube_ns, tmp_path):
    kube = kube_ns
    manifest = tmp_path / "claim.yaml"
    manifest.write_text("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n"
                        "  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 2Gi}}\n---\n"
                        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n"
                        "  - {name: app, image: nginx, volumeMounts: [{name: data, mountPath: /data}]}\n"
                        "  volumes:\n  - {name: data, persistentVolumeClaim: {claimName: data}}\n")
    kube("apply", "-f", str(manifest))
    kube.wait_running("", 1, timeout=60)
    volume = pvc_json(kube, "data")["spec"]["volumeName"]
    for args in (("pvc", "data"), ("pv", volume), ("storageclass", "standard")):
        real = kube("describe", *args).stdout
        page = kube.server.post_json("/kubeplay/v1/terminal", {
            "command": f"kubectl describe {' '.join(args)} -n {kube.ns}"})
        assert page["exitCode"] == 0, page
        assert _without_event_ages(page["output"]) == _without_event_ages(real), (page["output"], real)


def test_claims_and_volumes_survive_a_restart_and_a_deleted_default_class_stays_deleted(kube_factory, tmp_path):
    import signal
    kube = kube_factory(state=tmp_path / "kubeplay.db")
    kube("apply", "-f", kube.file("web.yaml"))
    assert kube.wait_running("app=nginx", 2, timeout=60) == ["web-0", "web-1"]
    before = {r["NAME"]: r["VOLUME"] for r in kube.table("get", "pvc")[1]}
    assert kube("delete", "storageclass", "standard").stdout == 'storageclass.storage.k8s.io "standard" deleted\n'

    assert kube.server.stop(signal.SIGTERM) == 0
    kube.server.start()
    assert kube.wait_running("app=nginx", 2, timeout=60) == ["web-0", "web-1"]
    header, rows = kube.table("get", "pvc")
    assert {r["NAME"]: (r["STATUS"], r["VOLUME"]) for r in rows} == {n: ("Bound", v) for n, v in before.items()}
    header, rows = kube.table("get", "pv")
    assert sorted(r["NAME"] for r in rows) == sorted(before.values())
    out = kube("get", "storageclass", check=False)
    assert out.stdout == "" and out.stderr == "No resources found\n", out.stdout + out.stderr


def test_a_claim_on_an_expandable_class_grows_when_its_request_does(kube_ns, tmp_path):
    kube = kube_ns
    cls = f"grow-{kube.ns}"[:60]
    manifest = tmp_path / "grow.yaml"
    manifest.write_text(f"""\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: {cls}
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
allowVolumeExpansion: true
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  storageClassName: {cls}
  accessModes: [ReadWriteOnce]
  resources: {{requests: {{storage: 1Gi}}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - {{name: app, image: nginx, volumeMounts: [{{name: data, mountPath: /data}}]}}
  volumes:
  - {{name: data, persistentVolumeClaim: {{claimName: data}}}}
""")
    kube("apply", "-f", str(manifest))
    kube.wait_running("", 1, timeout=60)
    header, rows = kube.table("get", "sc", cls)
    assert rows[0]["ALLOWVOLUMEEXPANSION"] == "true"
    out = kube("patch", "pvc", "data", "-p", '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}')
    assert out.stdout == "persistentvolumeclaim/data patched\n", out.stdout + out.stderr

    def grown():
        header, rows = kube.table("get", "pvc", "data")
        assert rows[0]["CAPACITY"] == "2Gi", rows
        return rows[0]["VOLUME"]
    volume = kube.server.wait_until(grown, 30, message="the claim resized")
    header, rows = kube.table("get", "pv", volume)
    assert rows[0]["CAPACITY"] == "2Gi"
    out = kube("patch", "pvc", "data", "-p", '{"spec":{"resources":{"requests":{"storage":"1Gi"}}}}', check=False)
    assert out.stderr.startswith('The PersistentVolumeClaim "data" is invalid: spec.resources.requests.storage: '
                                 'Forbidden: field can not be less than previous value'), out.stderr
    kube("delete", "-f", str(manifest))
