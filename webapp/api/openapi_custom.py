"""OpenAPI schemas of custom resources, as kube-apiserver publishes them from each CRD version's
structural schema (apiextensions-apiserver's builder): one definition per served version, named
by the reversed group (`com.example.stable.v1.CronTab`), with apiVersion and kind described,
metadata referring to ObjectMeta and x-kubernetes-group-version-kind set — which is how
`kubectl explain crontab.spec` finds it. `stamp()` changes whenever a CRD does, so the
documents built from these (v3 per group-version, v2 whole) are rebuilt then, and only then."""
from __future__ import annotations

import copy

from engine import ResourceType, crds
from engine import resources as kinds

_OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_API_VERSION_DOC = ("APIVersion defines the versioned schema of this representation of an object. Servers should "
                    "convert recognized schemas to the latest internal value, and may reject unrecognized values. "
                    "More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources")
_KIND_DOC = ("Kind is a string value representing the REST resource this object represents. Servers may infer this "
             "from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: "
             "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds")
_METADATA_DOC = ("Standard object's metadata. More info: "
                 "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")


def definition_name(group: str, version: str, kind: str) -> str:
    return ".".join(reversed(group.split("."))) + f".{version}.{kind}"


def stamp() -> tuple:
    """What the custom part of the documents depends on: every served CRD's name and resourceVersion."""
    return tuple(sorted((str((crd.get("metadata") or {}).get("name")), str((crd.get("metadata") or {}).get("resourceVersion")))
                        for crd in crds.all_definitions()))


def served() -> list[tuple[ResourceType, str, str]]:
    """(storage type, served version, definition name) for every served custom version."""
    out = []
    for rt in kinds.custom_types():
        crd = crds.definition(rt)
        for version in crds.served_versions(crd) if crd else ():
            out.append((rt, version, definition_name(rt.group, version, rt.kind)))
    return out


def schema_for(rt: ResourceType, version: str) -> dict:
    crd = crds.definition(rt)
    sch = copy.deepcopy(crds.schema_of(crd, version) or {"type": "object"}) if crd else {"type": "object"}
    props = sch.setdefault("properties", {})
    props["apiVersion"] = {"description": _API_VERSION_DOC, "type": "string"}
    props["kind"] = {"description": _KIND_DOC, "type": "string"}
    # (v3's form; openapi_v2.convert_schema turns the allOf wrapper back into a v2 $ref)
    props["metadata"] = {"allOf": [{"$ref": "#/components/schemas/" + _OBJECT_META}], "description": _METADATA_DOC}
    sch["x-kubernetes-group-version-kind"] = [{"group": rt.group, "kind": rt.kind, "version": version}]
    return sch


def schemas() -> dict[str, dict]:
    return {name: schema_for(rt, version) for rt, version, name in served()}


def in_group_version(group: str, version: str) -> list[tuple[ResourceType, str]]:
    """(type, definition name) of the custom kinds served at group/version."""
    return [(rt, name) for rt, v, name in served() if (rt.group, v) == (group, version)]
