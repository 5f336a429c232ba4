"""Resources served at more than one version from one storage version: the URL's version picks a
*view* that converts stored objects for the reader and request bodies for the store, as
kube-apiserver's conversion does. autoscaling/v1 HorizontalPodAutoscalers are the one such view
(the conversion itself is engine.hpa_versions); the resource table (engine.resources) keeps one
row per kind, at its stored version."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from engine import ResourceType, crds, hpa_versions, resources as kinds


@dataclass(frozen=True)
class View:
    group: str
    version: str
    rt: ResourceType                       # the stored kind
    out: Callable[[dict], dict]            # stored object -> this version
    into: Callable[..., dict]              # this version's body -> stored (strict=...)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}"


_VIEWS = {("autoscaling", "v1", "horizontalpodautoscalers"):
          View("autoscaling", "v1", kinds.HPA, hpa_versions.to_v1, hpa_versions.from_v1)}


def _custom_view(rt: ResourceType, version: str) -> View:
    """A CustomResourceDefinition's other served version (`conversion: None`): the stored
    object with its apiVersion rewritten, both ways."""
    api_version = f"{rt.group}/{version}"

    def out(obj: dict) -> dict:
        return dict(obj, apiVersion=api_version) if obj.get("apiVersion") != api_version else obj

    def into(obj: dict, strict: bool = False) -> dict:
        return dict(obj, apiVersion=rt.api_version)
    return View(rt.group, version, rt, out, into)


def _custom_views() -> dict[tuple[str, str, str], View]:
    out: dict[tuple[str, str, str], View] = {}
    for rt in kinds.custom_types():
        crd = crds.definition(rt)
        for version in crds.served_versions(crd) if crd else ():
            if version != rt.version:
                out[(rt.group, version, rt.name)] = _custom_view(rt, version)
    return out


def lookup(group: str, version: str, plural: str) -> View | None:
    return _VIEWS.get((group, version, plural)) or _custom_views().get((group, version, plural))


def group_versions() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for g, v, _ in _VIEWS:
        if (g, v) not in out:
            out.append((g, v))
    return out


def served_at(rt: ResourceType, version: str) -> bool:
    """False for a custom resource's storage version its CRD does not serve."""
    crd = crds.definition(rt) if kinds.is_custom(rt) else None
    return crd is None or version in crds.served_versions(crd)


def custom_group_versions() -> list[tuple[str, str]]:
    """The served versions of CustomResourceDefinitions that are not their storage version."""
    out: list[tuple[str, str]] = []
    for g, v, _ in _custom_views():
        if (g, v) not in out:
            out.append((g, v))
    return out


def views_in(group: str, version: str) -> list[View]:
    views = {**_VIEWS, **_custom_views()}
    return [view for (g, v, _), view in views.items() if (g, v) == (group, version)]


_KUBE_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def _priority(version: str) -> tuple:
    """Kube-aware version order (apimachinery's CompareKubeAwareVersionStrings): GA before beta
    before alpha, higher numbers first, anything else last, alphabetically."""
    m = _KUBE_VERSION.match(version)
    if not m:
        return (3, 0, 0, version)
    major, level, minor = int(m.group(1)), m.group(2), int(m.group(3) or 0)
    return ({None: 0, "beta": 1, "alpha": 2}[level], -major, -minor, version)


def order_custom(group_versions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The group-versions with each CRD group's versions in kube-aware order (the first is the
    preferred one), where the group's first version stood."""
    custom = {rt.group for rt in kinds.custom_types()}
    served = {(rt.group, v) for rt in kinds.custom_types() for crd in [crds.definition(rt)] if crd
              for v in crds.served_versions(crd)}
    group_versions = [gv for gv in group_versions if gv[0] not in custom or gv in served]
    out: list[tuple[str, str]] = []
    for gv in group_versions:
        if gv[0] not in custom:
            out.append(gv)
        elif all(g != gv[0] for g, _ in out):
            out += sorted((x for x in group_versions if x[0] == gv[0]), key=lambda x: _priority(x[1]))
    return out
