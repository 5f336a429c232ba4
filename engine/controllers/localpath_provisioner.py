"""The dynamic provisioner of kind's default StorageClass: rancher.io/local-path
(github.com/rancher/local-path-provisioner, run on a kind cluster as a Deployment in
`local-path-storage`), simulated as a loop of the engine.

It acts on claims the PV controller has handed to it (annotated
`volume.kubernetes.io/storage-provisioner: rancher.io/local-path`) once the scheduler has chosen a
node for the claim's first pod (`volume.kubernetes.io/selected-node`): it makes the volume
`pvc-<claim uid>` — a hostPath under /var/local-path-provisioner on that node, with node affinity
to it, pre-bound to the claim by claimRef, reclaimPolicy from the class — and the PV controller
binds the two. When such a volume is Released (its claim deleted) and its policy is Delete, it
deletes the volume. Events as the provisioner library (sig-storage-lib-external-provisioner)
records them: Provisioning, ProvisioningSucceeded.
"""
from __future__ import annotations

from typing import Iterable

from .. import errors, objects, resources as kinds, volumes
from ..events import NORMAL, WARNING
from ..loop import Controller, Result, quiet_write
from ..store import WatchEvent

# The provisioner's event source: `<provisioner>_<pod name>_<instance uuid>` (a kind cluster's).
COMPONENT = "rancher.io/local-path_local-path-provisioner-7dc846544d-kxn2r_4f1c7e0a-61b8-4c1e-9a3e-0d6f2b7c9e15"
BASE_PATH = "/var/local-path-provisioner"


class LocalPathProvisioner(Controller):
    name = "local-path-provisioner"

    def __init__(self, ctx):
        super().__init__(ctx)
        self._failed: dict[str, str] = {}     # claim key -> uid told it cannot be provisioned (said once)

    def handlers(self):
        return {kinds.PERSISTENTVOLUMECLAIM.name: self._claim_keys,
                kinds.PERSISTENTVOLUME.name: self._volume_keys}

    @staticmethod
    def _claim_keys(ev: WatchEvent) -> Iterable[str]:
        pvc = ev.object
        ann = objects.meta(pvc).get("annotations") or {}
        if ev.type != "DELETED" and ann.get(volumes.ANN_STORAGE_PROVISIONER) == volumes.LOCAL_PATH_PROVISIONER \
                and not (pvc.get("spec") or {}).get("volumeName"):
            yield "pvc:" + objects.key_of(pvc)

    @staticmethod
    def _volume_keys(ev: WatchEvent) -> Iterable[str]:
        pv = ev.object
        if ev.type != "DELETED" and (objects.meta(pv).get("annotations") or {}).get(
                volumes.ANN_PROVISIONED_BY) == volumes.LOCAL_PATH_PROVISIONER:
            yield "pv:" + objects.name_of(pv)

    def reconcile(self, key: str) -> Result | None:
        kind, _, rest = key.partition(":")
        if kind == "pvc":
            ns, name = objects.split_key(rest)
            pvc = self.store.try_get(kinds.PERSISTENTVOLUMECLAIM, ns, name)
            if pvc is not None:
                self._provision(rest, pvc)
        else:
            pv = self.store.try_get(kinds.PERSISTENTVOLUME, None, rest)
            if pv is not None:
                self._maybe_delete(pv)
        return None

    def _provision(self, key: str, pvc: dict) -> None:
        md = objects.meta(pvc)
        ann = md.get("annotations") or {}
        if (pvc.get("spec") or {}).get("volumeName") or objects.is_terminating(pvc):
            return
        if ann.get(volumes.ANN_STORAGE_PROVISIONER) != volumes.LOCAL_PATH_PROVISIONER:
            return
        cls = volumes.claim_class(pvc)
        sc = self.store.try_get(kinds.STORAGECLASS, None, cls) if cls else None
        if sc is None:
            return
        node = ann.get(volumes.ANN_SELECTED_NODE)
        if not node:
            delayed = (sc.get("volumeBindingMode") or volumes.IMMEDIATE) == volumes.WAIT_FOR_FIRST_CONSUMER
            if not delayed and self._failed.get(key) != objects.uid_of(pvc):
                # local-path volumes live on one node: without the scheduler's choice there is none
                # (a class with Immediate binding cannot work with this provisioner).
                self._failed[key] = objects.uid_of(pvc)
                self.recorder.event(pvc, WARNING, "ProvisioningFailed",
                                    f'failed to provision volume with StorageClass "{cls}": configuration error, '
                                    "no node was specified", component=COMPONENT)
            return                          # (WaitForFirstConsumer: the scheduler has not chosen yet)
        name = f"pvc-{objects.uid_of(pvc)}"
        if self.store.try_get(kinds.PERSISTENTVOLUME, None, name) is not None:
            return
        self.recorder.event(pvc, NORMAL, "Provisioning",
                            f'External provisioner is provisioning volume for claim "{key}"', component=COMPONENT)
        spec = pvc.get("spec") or {}
        pv_ann = {volumes.ANN_PROVISIONED_BY: volumes.LOCAL_PATH_PROVISIONER}
        pv_spec: dict = {
            "accessModes": list(spec.get("accessModes") or ()),
            "capacity": {"storage": ((spec.get("resources") or {}).get("requests") or {}).get("storage")},
            "claimRef": volumes.claim_ref(pvc),
            "hostPath": {"path": f"{BASE_PATH}/{name}_{md.get('namespace')}_{md.get('name')}",
                         "type": "DirectoryOrCreate"},
            "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy") or "Delete",
            "storageClassName": cls,
            "volumeMode": spec.get("volumeMode") or "Filesystem",
        }
        pv_ann["local.path.provisioner/selected-node"] = node
        pv_spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}}
        pv = {"apiVersion": "v1", "kind": "PersistentVolume",
              "metadata": {"name": name, "annotations": pv_ann}, "spec": pv_spec}
        try:
            self.store.create(pv, sync=False)
        except errors.AlreadyExists:
            return
        self.recorder.event(pvc, NORMAL, "ProvisioningSucceeded", f"Successfully provisioned volume {name}",
                            component=COMPONENT)
        self.decide(key, f"PVC {key}: provisioned {name} on {node} "
                         f"({pv_spec['capacity']['storage']}, {volumes.LOCAL_PATH_PROVISIONER})", action="provision")

    def _maybe_delete(self, pv: dict) -> None:
        if (pv.get("status") or {}).get("phase") != "Released" or objects.is_terminating(pv):
            return
        if (pv.get("spec") or {}).get("persistentVolumeReclaimPolicy") != "Delete":
            return
        quiet_write(self.store.delete, kinds.PERSISTENTVOLUME, None, objects.name_of(pv), sync=False)
        self.decide(objects.name_of(pv), f"PV {objects.name_of(pv)}: Released, reclaim policy Delete → "
                                         f"deleting the volume and its directory", action="delete-volume")
