"""What a kubelet reads from the API before a pod's containers can start: the Secrets and
ConfigMaps its volumes and its containers' environment name.

Volumes (k/k pkg/volume/secret, pkg/volume/configmap SetUpAt and MakePayload): a volume whose
object is missing — or lacks a key its `items` name — cannot be set up, so the pod sandbox is
not created and every container waits in ContainerCreating; the volume manager retries and
records `FailedMount` each time (`MountVolume.SetUp failed for volume "v" : secret "x" not
found`). `optional: true` mounts what there is.

Environment (k/k pkg/kubelet/kubelet_pods.go makeEnvironmentVariables): `envFrom` first, then
`env`; the first missing object or key fails the container's creation with
CreateContainerConfigError and the error's text (`secret "x" not found`, `couldn't find key k
in Secret ns/x`), unless the reference is optional.

The errors name the objects as the kubelet's watch-based managers do (`secret`, `configmap`).
Projected volumes (the service-account token's among them) are not checked here.
"""
from __future__ import annotations

from .. import resources as kinds


def _not_found(rt: kinds.ResourceType, name: str) -> str:
    return f'{rt.singular} "{name}" not found'


def _keys(rt: kinds.ResourceType, obj: dict) -> set:
    keys = set((obj.get("data") or {}).keys())
    if rt is kinds.CONFIGMAP:
        keys |= set((obj.get("binaryData") or {}).keys())
    return keys


def volume_errors(store, pod: dict) -> list[tuple[str, str]]:
    """(volume name, SetUp error) for each secret/configMap volume that cannot be set up now."""
    ns = (pod.get("metadata") or {}).get("namespace") or ""
    out = []
    for v in (pod.get("spec") or {}).get("volumes") or ():
        if not isinstance(v, dict):
            continue
        if isinstance(v.get("secret"), dict):
            src, rt, name = v["secret"], kinds.SECRET, v["secret"].get("secretName") or ""
            missing_key = "references non-existent secret key: {}"
        elif isinstance(v.get("configMap"), dict):
            src, rt, name = v["configMap"], kinds.CONFIGMAP, v["configMap"].get("name") or ""
            missing_key = "configmap references non-existent config key: {}"
        else:
            continue
        optional = src.get("optional") is True
        obj = store.try_get(rt, ns, name)
        if obj is None:
            if not optional:
                out.append((v.get("name", ""), _not_found(rt, name)))
            continue
        have = _keys(rt, obj)
        for item in src.get("items") or ():
            key = (item or {}).get("key")
            if key not in have and not optional:
                out.append((v.get("name", ""), missing_key.format(key)))
                break
    return out


def env_error(store, namespace: str, container: dict) -> str | None:
    """Why the container's environment cannot be made now, in the kubelet's words, or None."""
    for src in container.get("envFrom") or ():
        for field, rt in (("configMapRef", kinds.CONFIGMAP), ("secretRef", kinds.SECRET)):
            ref = (src or {}).get(field)
            if not isinstance(ref, dict):
                continue
            name = ref.get("name") or ""
            if store.try_get(rt, namespace, name) is None and ref.get("optional") is not True:
                return _not_found(rt, name)
    for var in container.get("env") or ():
        vf = (var or {}).get("valueFrom")
        if not isinstance(vf, dict):
            continue
        for field, rt in (("configMapKeyRef", kinds.CONFIGMAP), ("secretKeyRef", kinds.SECRET)):
            ref = vf.get(field)
            if not isinstance(ref, dict):
                continue
            name, key = ref.get("name") or "", ref.get("key") or ""
            optional = ref.get("optional") is True
            obj = store.try_get(rt, namespace, name)
            if obj is None:
                if optional:
                    continue
                return _not_found(rt, name)
            # Only `data` counts for env (configMap.Data[key]; binaryData is not read).
            if key not in (obj.get("data") or {}) and not optional:
                return f"couldn't find key {key} in {rt.kind} {namespace}/{name}"
    return None
