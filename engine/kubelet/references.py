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
Projected volumes' secret and configMap sources are checked as their own volumes are, except the
service-account token volume's (see TOKEN_VOLUME_PREFIX).
"""
from __future__ import annotations

from .. import resources as kinds

# The ServiceAccount admission plugin's token volume: its kube-root-ca.crt ConfigMap is published
# by the root-ca-cert-publisher, which this playground does not run — so it is not checked.
TOKEN_VOLUME_PREFIX = "kube-api-access-"


def _not_found(rt: kinds.ResourceType, name: str) -> str:
    return f'{rt.singular} "{name}" not found'


def _keys(rt: kinds.ResourceType, obj: dict) -> set:
    keys = set((obj.get("data") or {}).keys())
    if rt is kinds.CONFIGMAP:
        keys |= set((obj.get("binaryData") or {}).keys())
    return keys


_MISSING_KEY = {"secret": "references non-existent secret key: {}",
                "configMap": "configmap references non-existent config key: {}"}


def _source_error(store, ns: str, field: str, src: dict, name: str) -> str | None:
    """One secret/configMap source (a volume's, or a projected volume's): why it cannot be read."""
    rt = kinds.SECRET if field == "secret" else kinds.CONFIGMAP
    optional = src.get("optional") is True
    obj = store.try_get(rt, ns, name)
    if obj is None:
        return None if optional else _not_found(rt, name)
    have = _keys(rt, obj)
    for item in src.get("items") or ():
        key = (item or {}).get("key")
        if key not in have and not optional:
            return _MISSING_KEY[field].format(key)
    return None


def volume_errors(store, pod: dict) -> list[tuple[str, str]]:
    """(volume name, SetUp error) for each secret/configMap/projected volume that cannot be set
    up now. A projected volume's errors are aggregated as utilerrors.NewAggregate prints them."""
    ns = (pod.get("metadata") or {}).get("namespace") or ""
    out = []
    for v in (pod.get("spec") or {}).get("volumes") or ():
        if not isinstance(v, dict):
            continue
        err: str | None = None
        if isinstance(v.get("secret"), dict):
            err = _source_error(store, ns, "secret", v["secret"], v["secret"].get("secretName") or "")
        elif isinstance(v.get("configMap"), dict):
            err = _source_error(store, ns, "configMap", v["configMap"], v["configMap"].get("name") or "")
        elif isinstance(v.get("projected"), dict) and not str(v.get("name", "")).startswith(TOKEN_VOLUME_PREFIX):
            errs = []
            for source in v["projected"].get("sources") or ():
                for field in ("secret", "configMap"):
                    if isinstance((source or {}).get(field), dict):
                        e = _source_error(store, ns, field, source[field], source[field].get("name") or "")
                        if e is not None:
                            errs.append(e)
            err = None if not errs else errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]"
        if err is not None:
            out.append((v.get("name", ""), err))
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
