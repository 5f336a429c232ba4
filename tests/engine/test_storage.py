"""Storage (issue 12 item 5): PersistentVolumes, PersistentVolumeClaims and StorageClasses as a
kind cluster has them — the default class `standard` (rancher.io/local-path, WaitForFirstConsumer),
DefaultStorageClass admission, the PV controller's static binding and reclaiming, the simulated
dynamic provisioner, the scheduler's VolumeBinding texts, StatefulSet volumeClaimTemplates, the
in-use protection finalizers and expansion. The whole engine runs on a ManualClock."""
import pytest

from engine import errors, objects, resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store


@pytest.fixture
def cluster():
    return Cluster(store=Store(), clock=ManualClock(), nodes=3)


def pvc(name, storage="1Gi", modes=("ReadWriteOnce",), **spec):
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": "default"},
            "spec": {"accessModes": list(modes), "resources": {"requests": {"storage": storage}}, **spec}}


def pv(name, storage="10Gi", modes=("ReadWriteOnce",), labels=None, **spec):
    md = {"name": name}
    if labels:
        md["labels"] = labels
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": md,
            "spec": {"capacity": {"storage": storage}, "accessModes": list(modes),
                     "hostPath": {"path": f"/mnt/{name}"}, **spec}}


def pod(name, claim):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "nginx", "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
                     "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": claim}}]}}


def get_pvc(cluster, name):
    return cluster.store.get(kinds.PERSISTENTVOLUMECLAIM, "default", name)


def get_pv(cluster, name):
    return cluster.store.get(kinds.PERSISTENTVOLUME, None, name)


def events(cluster, kind, name):
    return [(e["reason"], e["message"]) for e in cluster.store.iter(kinds.EVENT, "default")
            if e["involvedObject"]["kind"] == kind and e["involvedObject"]["name"] == name]


def settle(cluster, seconds=20):
    for _ in range(int(seconds)):
        cluster.advance(1)


# ---- the default class and admission -----------------------------------------------------------

def test_a_new_cluster_has_kinds_default_storage_class(cluster):
    classes = list(cluster.store.iter(kinds.STORAGECLASS))
    assert [objects.name_of(sc) for sc in classes] == ["standard"]
    sc = classes[0]
    assert sc["metadata"]["annotations"] == {"storageclass.kubernetes.io/is-default-class": "true"}
    assert (sc["provisioner"], sc["reclaimPolicy"], sc["volumeBindingMode"]) == \
        ("rancher.io/local-path", "Delete", "WaitForFirstConsumer")


def test_a_claim_without_a_class_gets_the_default_one_and_is_defaulted(cluster):
    made = cluster.store.create(pvc("data"))
    assert made["spec"]["storageClassName"] == "standard"
    assert made["spec"]["volumeMode"] == "Filesystem"
    assert made["status"] == {"phase": "Pending"}
    assert made["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    assert "generation" not in made["metadata"]
    # An explicit empty class asks for no class, and keeps it.
    assert cluster.store.create(pvc("none", storageClassName=""))["spec"]["storageClassName"] == ""


def test_claim_and_volume_validation_texts(cluster):
    bad = pvc("bad")
    bad["spec"] = {}
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(bad)
    assert e.value.message == ('PersistentVolumeClaim "bad" is invalid: [spec.accessModes: Required value: at least 1 '
                               'access mode is required, spec.resources[storage]: Required value]')
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(pvc("bad", modes=("ReadWriteSometimes",)))
    assert 'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", ' \
           '"ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"' in e.value.message
    no_source = pv("nosrc")
    del no_source["spec"]["hostPath"]
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(no_source)
    assert e.value.message == 'PersistentVolume "nosrc" is invalid: spec: Required value: must specify a volume type'
    made = cluster.store.create(pv("vol"))
    assert made["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert made["spec"]["volumeMode"] == "Filesystem"
    assert made["metadata"]["finalizers"] == ["kubernetes.io/pv-protection"]


def test_a_claims_spec_is_immutable_but_a_bound_claim_may_grow_only_on_an_expandable_class(cluster):
    cluster.store.create(pv("vol", "10Gi", storageClassName="manual"))
    cluster.store.create(pvc("data", "5Gi", storageClassName="manual"))
    settle(cluster, 3)
    claim = objects.clone(get_pvc(cluster, "data"))
    claim["spec"]["accessModes"] = ["ReadWriteMany"]
    with pytest.raises(errors.Invalid) as e:
        cluster.store.update(claim)
    assert "spec: Forbidden: spec is immutable after creation except resources.requests and " \
           "volumeAttributesClassName for bound claims" in e.value.message
    claim = objects.clone(get_pvc(cluster, "data"))
    claim["spec"]["resources"]["requests"]["storage"] = "8Gi"
    with pytest.raises(errors.Forbidden) as e:
        cluster.store.update(claim)
    assert e.value.message == ('persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be '
                               'resized and the storageclass that provisions the pvc must support resize')


def test_storage_class_fields_are_immutable(cluster):
    sc = objects.clone(next(iter(cluster.store.iter(kinds.STORAGECLASS))))
    sc["reclaimPolicy"] = "Retain"
    with pytest.raises(errors.Invalid) as e:
        cluster.store.update(sc)
    assert "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden." in e.value.message


# ---- static binding ----------------------------------------------------------------------------

def test_a_claim_binds_the_smallest_matching_volume_of_its_class(cluster):
    s = cluster.store
    s.create(pv("big", "100Gi", storageClassName="manual"))
    s.create(pv("small", "10Gi", storageClassName="manual"))
    s.create(pv("tiny", "1Gi", storageClassName="manual"))
    s.create(pv("other-class", "10Gi", storageClassName="fast"))
    s.create(pv("rwx-only", "10Gi", modes=("ReadWriteMany",), storageClassName="manual"))
    settle(cluster, 2)
    assert {objects.name_of(v): v["status"]["phase"] for v in s.iter(kinds.PERSISTENTVOLUME)} == \
        dict.fromkeys(["big", "small", "tiny", "other-class", "rwx-only"], "Available")
    s.create(pvc("data", "5Gi", storageClassName="manual"))
    settle(cluster, 2)
    claim, vol = get_pvc(cluster, "data"), get_pv(cluster, "small")
    assert claim["spec"]["volumeName"] == "small"
    assert claim["status"] == {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "10Gi"}}
    assert claim["metadata"]["annotations"] == {"pv.kubernetes.io/bind-completed": "yes",
                                                "pv.kubernetes.io/bound-by-controller": "yes"}
    assert vol["status"]["phase"] == "Bound"
    ref = vol["spec"]["claimRef"]
    assert (ref["kind"], ref["namespace"], ref["name"], ref["uid"]) == \
        ("PersistentVolumeClaim", "default", "data", objects.uid_of(claim))
    assert vol["metadata"]["annotations"] == {"pv.kubernetes.io/bound-by-controller": "yes"}
    assert get_pv(cluster, "big")["status"]["phase"] == "Available"


def test_a_selector_limits_the_volumes_a_claim_may_bind(cluster):
    s = cluster.store
    s.create(pv("plain", "1Gi", storageClassName=""))
    s.create(pv("ssd", "5Gi", labels={"disk": "ssd"}, storageClassName=""))
    s.create(pvc("data", "1Gi", storageClassName="", selector={"matchLabels": {"disk": "ssd"}}))
    settle(cluster, 2)
    assert get_pvc(cluster, "data")["spec"]["volumeName"] == "ssd"


def test_no_volume_and_no_class_waits_with_the_controllers_event(cluster):
    cluster.store.create(pvc("data", storageClassName=""))
    cluster.store.create(pvc("manual", storageClassName="manual"))
    settle(cluster, 3)
    assert get_pvc(cluster, "data")["status"]["phase"] == "Pending"
    assert events(cluster, "PersistentVolumeClaim", "data") == [
        ("FailedBinding", "no persistent volumes available for this claim and no storage class is set")]
    assert events(cluster, "PersistentVolumeClaim", "manual") == [
        ("ProvisioningFailed", 'storageclass.storage.k8s.io "manual" not found')]
    # A volume that fits, made later, is bound then.
    cluster.store.create(pv("vol", "1Gi", storageClassName="manual"))
    settle(cluster, 3)
    assert get_pvc(cluster, "manual")["status"]["phase"] == "Bound"


def test_deleting_a_claim_releases_a_retained_volume_and_deletes_nothing(cluster):
    s = cluster.store
    s.create(pv("vol", "1Gi", storageClassName="manual"))
    s.create(pvc("data", storageClassName="manual"))
    settle(cluster, 2)
    s.delete(kinds.PERSISTENTVOLUMECLAIM, "default", "data")
    settle(cluster, 2)
    assert s.try_get(kinds.PERSISTENTVOLUMECLAIM, "default", "data") is None
    vol = get_pv(cluster, "vol")
    assert vol["status"]["phase"] == "Released"
    assert vol["spec"]["claimRef"]["name"] == "data"          # kept for the administrator
    # A new claim of the same name does not get the released volume.
    s.create(pvc("data", storageClassName="manual"))
    settle(cluster, 2)
    assert get_pvc(cluster, "data")["status"]["phase"] == "Pending"


# ---- the scheduler, the kubelet and dynamic provisioning --------------------------------------

def test_a_pod_whose_claim_does_not_exist_stays_pending_with_the_schedulers_text(cluster):
    s = cluster.store
    s.create(pod("mysql", "mysql-pv-claim"))
    settle(cluster, 3)
    p = s.get(kinds.POD, "default", "mysql")
    assert not p["spec"].get("nodeName")
    want = ('0/3 nodes are available: persistentvolumeclaim "mysql-pv-claim" not found. preemption: 0/3 nodes '
            'are available: 3 Preemption is not helpful for scheduling.')
    assert objects.get_condition(p["status"], "PodScheduled")["message"] == want
    assert ("FailedScheduling", want) in events(cluster, "Pod", "mysql")
    # The claim made (a static volume for it too): the pod is scheduled and runs.
    s.create(pv("mysql-pv-volume", "20Gi", storageClassName="manual"))
    s.create(pvc("mysql-pv-claim", "20Gi", storageClassName="manual"))
    settle(cluster, 20)
    p = s.get(kinds.POD, "default", "mysql")
    assert p["status"]["phase"] == "Running"


def test_an_unbound_immediate_claim_keeps_its_pod_pending(cluster):
    s = cluster.store
    s.create(pvc("data", storageClassName=""))
    s.create(pod("app", "data"))
    settle(cluster, 3)
    cond = objects.get_condition(s.get(kinds.POD, "default", "app")["status"], "PodScheduled")
    assert cond["message"] == ("0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. "
                               "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")


def test_wait_for_first_consumer_then_the_provisioner_makes_a_volume_on_the_pods_node(cluster):
    s = cluster.store
    s.create(pvc("data"))
    settle(cluster, 3)
    assert get_pvc(cluster, "data")["status"]["phase"] == "Pending"
    assert events(cluster, "PersistentVolumeClaim", "data") == [
        ("WaitForFirstConsumer", "waiting for first consumer to be created before binding")]
    s.create(pod("app", "data"))
    settle(cluster, 20)
    p = s.get(kinds.POD, "default", "app")
    assert p["status"]["phase"] == "Running"
    claim = get_pvc(cluster, "data")
    name = f"pvc-{objects.uid_of(claim)}"
    assert claim["spec"]["volumeName"] == name
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == p["spec"]["nodeName"]
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/storage-provisioner"] == "rancher.io/local-path"
    vol = get_pv(cluster, name)
    assert vol["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert vol["spec"]["storageClassName"] == "standard"
    assert vol["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"] == [
        {"key": "kubernetes.io/hostname", "operator": "In", "values": [p["spec"]["nodeName"]]}]
    assert vol["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] == "rancher.io/local-path"
    reasons = [r for r, _ in events(cluster, "PersistentVolumeClaim", "data")]
    assert reasons == ["WaitForFirstConsumer", "ExternalProvisioning", "Provisioning", "ProvisioningSucceeded"]
    assert events(cluster, "PersistentVolumeClaim", "data")[-1] == ("ProvisioningSucceeded",
                                                                    f"Successfully provisioned volume {name}")
    # In use: deleting the claim leaves it Terminating (pvc-protection) until the pod is gone;
    # then the Delete policy removes the volume.
    s.delete(kinds.PERSISTENTVOLUMECLAIM, "default", "data")
    settle(cluster, 3)
    assert objects.is_terminating(get_pvc(cluster, "data"))
    s.delete(kinds.POD, "default", "app")
    settle(cluster, 10)
    assert s.try_get(kinds.PERSISTENTVOLUMECLAIM, "default", "data") is None
    assert s.try_get(kinds.PERSISTENTVOLUME, None, name) is None


def test_a_bound_claim_on_an_expandable_class_grows(cluster):
    s = cluster.store
    s.create({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "grow"},
              "provisioner": "rancher.io/local-path", "volumeBindingMode": "WaitForFirstConsumer",
              "allowVolumeExpansion": True})
    s.create(pvc("data", "1Gi", storageClassName="grow"))
    s.create(pod("app", "data"))
    settle(cluster, 20)
    claim = objects.clone(get_pvc(cluster, "data"))
    assert claim["status"]["capacity"] == {"storage": "1Gi"}
    claim["spec"]["resources"]["requests"]["storage"] = "2Gi"
    s.update(claim)
    settle(cluster, 3)
    claim = get_pvc(cluster, "data")
    assert claim["status"]["capacity"] == {"storage": "2Gi"}
    assert get_pv(cluster, claim["spec"]["volumeName"])["spec"]["capacity"] == {"storage": "2Gi"}
    assert [r for r, _ in events(cluster, "PersistentVolumeClaim", "data")][-2:] == ["Resizing", "VolumeResizeSuccessful"]


# ---- StatefulSet volumeClaimTemplates ------------------------------------------------------------

def web(replicas=2):
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": replicas, "serviceName": "nginx", "selector": {"matchLabels": {"app": "nginx"}},
                     "template": {"metadata": {"labels": {"app": "nginx"}},
                                  "spec": {"containers": [{"name": "nginx", "image": "registry.k8s.io/nginx-slim:0.21",
                                                           "volumeMounts": [{"name": "www",
                                                                             "mountPath": "/usr/share/nginx/html"}]}]}},
                     "volumeClaimTemplates": [{"metadata": {"name": "www"},
                                               "spec": {"accessModes": ["ReadWriteOnce"],
                                                        "resources": {"requests": {"storage": "1Gi"}}}}]}}


def test_statefulset_claims_are_made_before_pods_bound_and_reattached_to_a_replacement(cluster):
    s = cluster.store
    s.create(web())
    settle(cluster, 30)
    pods = {objects.name_of(p): p for p in s.iter(kinds.POD, "default")}
    assert sorted(pods) == ["web-0", "web-1"]
    assert all(p["status"]["phase"] == "Running" for p in pods.values())
    for i in (0, 1):
        claim = get_pvc(cluster, f"www-web-{i}")
        assert claim["status"]["phase"] == "Bound"
        assert claim["metadata"]["labels"] == {"app": "nginx"}
        assert "ownerReferences" not in claim["metadata"]           # Retain: the claims outlive the set
        assert pods[f"web-{i}"]["spec"]["volumes"][0] == {"name": "www",
                                                          "persistentVolumeClaim": {"claimName": f"www-web-{i}"}}
    sts_events = events(cluster, "StatefulSet", "web")
    assert sts_events[:2] == [("SuccessfulCreate", "create Claim www-web-0 Pod web-0 in StatefulSet web success"),
                              ("SuccessfulCreate", "create Pod web-0 in StatefulSet web successful")]
    volume = get_pvc(cluster, "www-web-0")["spec"]["volumeName"]
    node = pods["web-0"]["spec"]["nodeName"]
    s.delete(kinds.POD, "default", "web-0")
    settle(cluster, 30)
    replacement = s.get(kinds.POD, "default", "web-0")
    assert objects.uid_of(replacement) != objects.uid_of(pods["web-0"])
    assert replacement["status"]["phase"] == "Running"
    assert get_pvc(cluster, "www-web-0")["spec"]["volumeName"] == volume
    assert replacement["spec"]["nodeName"] == node             # the local volume's node affinity
    assert len(list(s.iter(kinds.PERSISTENTVOLUMECLAIM, "default"))) == 2
    # Deleting the set leaves the claims (whenDeleted: Retain).
    s.delete(kinds.STATEFULSET, "default", "web")
    settle(cluster, 30)
    assert sorted(objects.name_of(c) for c in s.iter(kinds.PERSISTENTVOLUMECLAIM, "default")) == \
        ["www-web-0", "www-web-1"]


def test_retention_policy_delete_removes_claims_on_scale_down_and_with_the_set(cluster):
    s = cluster.store
    sts = web(3)
    sts["spec"]["persistentVolumeClaimRetentionPolicy"] = {"whenDeleted": "Delete", "whenScaled": "Delete"}
    s.create(sts)
    settle(cluster, 40)
    claims = {objects.name_of(c): c for c in s.iter(kinds.PERSISTENTVOLUMECLAIM, "default")}
    assert sorted(claims) == ["www-web-0", "www-web-1", "www-web-2"]
    ref = claims["www-web-0"]["metadata"]["ownerReferences"]
    assert [(r["kind"], r["name"], r["controller"]) for r in ref] == [("StatefulSet", "web", True)]
    scaled = objects.clone(s.get(kinds.STATEFULSET, "default", "web"))
    scaled["spec"]["replicas"] = 2
    s.update(scaled)
    settle(cluster, 20)
    assert sorted(objects.name_of(c) for c in s.iter(kinds.PERSISTENTVOLUMECLAIM, "default")) == \
        ["www-web-0", "www-web-1"]
    s.delete(kinds.STATEFULSET, "default", "web")
    settle(cluster, 30)
    assert list(s.iter(kinds.PERSISTENTVOLUMECLAIM, "default")) == []
    assert list(s.iter(kinds.PERSISTENTVOLUME)) == []          # reclaimPolicy Delete: the volumes too


def test_claims_of_a_class_that_does_not_exist_leave_the_statefulsets_first_pod_pending(cluster):
    # kubernetes.io controllers/statefulset.yaml asks for `my-storage-class`, which a kind cluster
    # does not have: its claim cannot be provisioned and binds Immediately, so web-0 waits.
    s = cluster.store
    sts = web(3)
    sts["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] = "my-storage-class"
    s.create(sts)
    settle(cluster, 10)
    assert sorted(objects.name_of(p) for p in s.iter(kinds.POD, "default")) == ["web-0"]
    assert events(cluster, "PersistentVolumeClaim", "www-web-0") == [
        ("ProvisioningFailed", 'storageclass.storage.k8s.io "my-storage-class" not found')]
    cond = objects.get_condition(s.get(kinds.POD, "default", "web-0")["status"], "PodScheduled")
    assert cond["reason"] == "Unschedulable"
    assert cond["message"].startswith("0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.")
    # The class created with kind's provisioner and its default Immediate binding: local-path
    # cannot provision without a node.
    sc = s.create({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                   "metadata": {"name": "my-storage-class"}, "provisioner": "rancher.io/local-path"})
    settle(cluster, 5)
    assert events(cluster, "PersistentVolumeClaim", "www-web-0")[-1] == (
        "ProvisioningFailed", 'failed to provision volume with StorageClass "my-storage-class": configuration '
        "error, no node was specified")
    # Made again WaitForFirstConsumer (the binding mode is immutable: delete and create): web-0's
    # node is chosen, the claim provisioned there, and web-0 runs.
    s.delete(kinds.STORAGECLASS, None, objects.name_of(sc))
    s.create({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "my-storage-class"},
              "provisioner": "rancher.io/local-path", "volumeBindingMode": "WaitForFirstConsumer"})
    settle(cluster, 30)
    assert get_pvc(cluster, "www-web-0")["status"]["phase"] == "Bound"
    assert s.get(kinds.POD, "default", "web-0")["status"]["phase"] == "Running"


def test_a_pod_whose_local_volume_is_on_a_cordoned_node_has_nowhere_to_go(cluster):
    s = cluster.store
    s.create(pvc("data"))
    s.create(pod("app", "data"))
    settle(cluster, 20)
    node = s.get(kinds.POD, "default", "app")["spec"]["nodeName"]
    cordoned = objects.clone(s.get(kinds.NODE, None, node))
    cordoned["spec"]["unschedulable"] = True
    s.update(cordoned)
    s.delete(kinds.POD, "default", "app", grace_period_seconds=0)
    settle(cluster, 5)
    s.create(pod("app", "data"))
    settle(cluster, 5)
    cond = objects.get_condition(s.get(kinds.POD, "default", "app")["status"], "PodScheduled")
    assert cond["message"] == ("0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) had volume node "
                               "affinity conflict. preemption: 0/3 nodes are available: 3 Preemption is not helpful "
                               "for scheduling.")


def test_a_pod_whose_claim_is_being_deleted_is_not_recreated_until_the_claim_is_gone(cluster):
    s = cluster.store
    s.create(web(1))
    settle(cluster, 20)
    s.delete(kinds.PERSISTENTVOLUMECLAIM, "default", "www-web-0")      # in use: stays Terminating
    settle(cluster, 2)
    assert objects.is_terminating(get_pvc(cluster, "www-web-0"))
    old = s.get(kinds.POD, "default", "web-0")
    s.delete(kinds.POD, "default", "web-0")
    settle(cluster, 20)
    assert ("FailedCreate", "create Pod web-0 in StatefulSet web failed error: pvc www-web-0 is being deleted") \
        in events(cluster, "StatefulSet", "web")
    # Once the old pod is gone the claim goes too; then a new claim and a new pod are made.
    settle(cluster, 60)
    new = s.get(kinds.POD, "default", "web-0")
    assert objects.uid_of(new) != objects.uid_of(old) and new["status"]["phase"] == "Running"
    assert get_pvc(cluster, "www-web-0")["status"]["phase"] == "Bound"


def test_a_pod_bound_to_a_node_by_hand_waits_in_container_creating_for_its_claim(cluster):
    s = cluster.store
    pinned = pod("app", "later")
    pinned["spec"]["nodeName"] = "node-1"
    s.create(pinned)
    settle(cluster, 10)
    p = s.get(kinds.POD, "default", "app")
    assert p["status"]["phase"] == "Pending"
    assert p["status"]["containerStatuses"][0]["state"] == {"waiting": {"reason": "ContainerCreating"}}
    assert "podIP" not in p["status"]
    assert objects.get_condition(p["status"], "PodReadyToStartContainers")["status"] == "False"
    assert not [r for r, _ in events(cluster, "Pod", "app") if r in ("Pulling", "Pulled", "Started")]
    assert ("FailedMount", "Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[], "
                           "failed to process volumes=[data]: error processing PVC default/later: failed to fetch "
                           'PVC from API server: persistentvolumeclaims "later" not found') in events(cluster, "Pod", "app")
    s.create(pv("vol", "1Gi", storageClassName=""))
    s.create(pvc("later", storageClassName=""))
    settle(cluster, 10)
    p = s.get(kinds.POD, "default", "app")
    assert p["status"]["phase"] == "Running" and p["status"]["podIP"]


def test_a_converged_cluster_writes_no_storage_object_again(cluster):
    s = cluster.store
    s.create(web(2))
    s.create(pv("vol", "1Gi", storageClassName="manual"))
    s.create(pvc("static", storageClassName="manual"))
    s.create(pvc("waiting"))                                    # WaitForFirstConsumer, no consumer
    s.create(pvc("nowhere", storageClassName="missing"))        # ProvisioningFailed
    s.create(pv("spare", "5Gi", storageClassName="other"))      # Available
    settle(cluster, 40)

    def versions():
        return {(rt.name, objects.key_of(o)): objects.rv_of(o)
                for rt in (kinds.PERSISTENTVOLUME, kinds.PERSISTENTVOLUMECLAIM, kinds.STORAGECLASS)
                for o in s.iter(rt)}
    before = versions()
    storage_events = len([e for e in s.iter(kinds.EVENT, "default")
                          if e["involvedObject"]["kind"] in ("PersistentVolume", "PersistentVolumeClaim")])
    cluster.advance(900)
    assert versions() == before
    assert len([e for e in s.iter(kinds.EVENT, "default")
                if e["involvedObject"]["kind"] in ("PersistentVolume", "PersistentVolumeClaim")]) == storage_events


def test_a_volume_records_when_its_phase_last_changed(cluster):
    made = cluster.store.create(pv("vol", storageClassName="manual"))
    assert made["status"] == {"phase": "Pending", "lastPhaseTransitionTime": made["metadata"]["creationTimestamp"]}
    cluster.store.create(pvc("data", storageClassName="manual"))
    cluster.advance(5)
    bound = get_pv(cluster, "vol")["status"]
    assert bound["phase"] == "Bound"
    cluster.store.delete(kinds.PERSISTENTVOLUMECLAIM, "default", "data")
    cluster.advance(5)
    released = get_pv(cluster, "vol")["status"]
    assert released["phase"] == "Released"
    assert released["lastPhaseTransitionTime"] > bound["lastPhaseTransitionTime"]
