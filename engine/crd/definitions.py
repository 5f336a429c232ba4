"""What a stored CustomResourceDefinition serves: its resource type (engine.resources'
register/unregister: served while the CRD is Established, gone with it), its versions (one
stored, the others served by `conversion: None`: the same object under another apiVersion),
each version's schema, printer columns and subresources.

The registry is process-wide, as engine.resources is: a Store (re)builds it from its own
CRDs when it opens (`reset`), and every CRD write keeps it current (`observe`)."""
from __future__ import annotations

from .. import resources as kinds
from ..resources import ResourceType

GROUP = "apiextensions.k8s.io"
FINALIZER = "customresourcecleanup.apiextensions.k8s.io"

# (group, plural) -> the stored CRD whose resource type is registered
_DEFS: dict[tuple[str, str], dict] = {}


def spec_of(crd: dict) -> dict:
    spec = crd.get("spec")
    return spec if isinstance(spec, dict) else {}


def names_of(crd: dict) -> dict:
    names = spec_of(crd).get("names")
    return names if isinstance(names, dict) else {}


def versions_of(crd: dict) -> list[dict]:
    return [v for v in spec_of(crd).get("versions") or () if isinstance(v, dict)]


def storage_version(crd: dict) -> str:
    for v in versions_of(crd):
        if v.get("storage") is True:
            return str(v.get("name", ""))
    return ""


def served_versions(crd: dict) -> list[str]:
    return [str(v.get("name")) for v in versions_of(crd) if v.get("served") is True]


def version_of(crd: dict, version: str) -> dict:
    for v in versions_of(crd):
        if v.get("name") == version:
            return v
    return {}


def schema_of(crd: dict, version: str) -> dict | None:
    sch = (version_of(crd, version).get("schema") or {}).get("openAPIV3Schema")
    return sch if isinstance(sch, dict) else None


def is_established(crd: dict) -> bool:
    return any(c.get("type") == "Established" and c.get("status") == "True"
               for c in (crd.get("status") or {}).get("conditions") or () if isinstance(c, dict))


def resource_type(crd: dict) -> ResourceType:
    """The CRD's resource type at its storage version."""
    spec, names = spec_of(crd), names_of(crd)
    subs = version_of(crd, storage_version(crd)).get("subresources") or {}
    return ResourceType(
        str(names.get("plural", "")), str(names.get("singular") or str(names.get("kind", "")).lower()),
        str(names.get("kind", "")), str(spec.get("group", "")), storage_version(crd),
        spec.get("scope") == "Namespaced", tuple(names.get("shortNames") or ()),
        tuple(names.get("categories") or ()),
        tuple(s for s in ("status", "scale") if isinstance(subs, dict) and s in subs))


def definition(rt: ResourceType) -> dict | None:
    """The CRD serving `rt` (None for a built-in kind)."""
    return _DEFS.get((rt.group, rt.name))


def definition_for(group: str, plural: str) -> dict | None:
    return _DEFS.get((group, plural))


def all_definitions() -> list[dict]:
    return list(_DEFS.values())


def observe(etype: str, crd: dict) -> None:
    """Keep the served types in step with one CRD write."""
    key = (str(spec_of(crd).get("group", "")), str(names_of(crd).get("plural", "")))
    if etype == "DELETED" or not is_established(crd):
        if key in _DEFS:
            del _DEFS[key]
            kinds.unregister(*key)
        return
    rt = resource_type(crd)
    old = _DEFS.get(key)
    _DEFS[key] = crd
    if old is None or resource_type(old) != rt or kinds.lookup(*key) != rt:
        kinds.register(rt)


def reset(crds) -> None:
    """Serve exactly these CRDs (a store opening: its state file's, or none)."""
    for key in list(_DEFS):
        kinds.unregister(*key)
    _DEFS.clear()
    for rt in kinds.custom_types():
        kinds.unregister(rt.group, rt.name)
    for crd in crds:
        observe("ADDED", crd)


def version_rt(rt: ResourceType, version: str) -> ResourceType:
    """`rt` as served at another of its CRD's versions (for the URL's version)."""
    from dataclasses import replace
    return rt if version == rt.version else replace(rt, version=version)


def deprecation_warning(rt: ResourceType, version: str) -> str | None:
    """The warning a request at a deprecated version earns (deprecationWarning, or the default)."""
    crd = definition(rt)
    if crd is None:
        return None
    v = version_of(crd, version)
    if v.get("deprecated") is not True:
        return None
    text = v.get("deprecationWarning")
    if isinstance(text, str) and text:
        return text
    return f"{rt.group}/{version} {rt.kind} is deprecated"


def printer_columns(rt: ResourceType, version: str | None = None) -> list[dict]:
    crd = definition(rt)
    if crd is None:
        return []
    cols = version_of(crd, version or rt.version).get("additionalPrinterColumns") or []
    return [c for c in cols if isinstance(c, dict)]
