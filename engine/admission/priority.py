"""The Priority admission plugin (k/k plugin/pkg/admission/priority/admission.go) and the
built-in PriorityClasses the apiserver creates at start (pkg/registry/scheduling/rest
storage_scheduling.go, `AddSystemPriorityClasses`).

For a new Pod: `priorityClassName` names a class whose value becomes `spec.priority` and whose
preemptionPolicy becomes `spec.preemptionPolicy`; a pod naming none gets the globalDefault class
(the lowest-valued one if several claim it) or priority 0 and PreemptLowerPriority. A pod that
gives `priority` or `preemptionPolicy` itself must agree with what the plugin computes.
For a PriorityClass: only one may be globalDefault.

`classes` is the store's own map of PriorityClasses by name (read, never written).
"""
from __future__ import annotations

from collections.abc import Mapping

from .. import errors, objects
from .validation_scheduling import SYSTEM_CLASSES

API_VERSION, KIND = "scheduling.k8s.io/v1", "PriorityClass"
DEFAULT_POLICY = "PreemptLowerPriority"


def system_classes() -> list[dict]:
    """The classes the apiserver's post-start hook makes (and makes again if deleted)."""
    out = []
    for name, (value, default, description) in SYSTEM_CLASSES.items():
        pc = {"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": name}, "value": value,
              "globalDefault": default, "description": description}
        defaults(pc)
        out.append(pc)
    return out


def defaults(obj: dict) -> None:
    """scheduling/v1 defaulting (preemptionPolicy PreemptLowerPriority), and what the Go
    round trip drops: globalDefault and description are omitempty, so false and "" vanish."""
    obj.setdefault("preemptionPolicy", DEFAULT_POLICY)
    for key, zero in (("globalDefault", False), ("description", "")):
        if key in obj and obj[key] in (zero, None):
            del obj[key]


def _builtin() -> dict[str, dict]:
    return {objects.name_of(pc): pc for pc in system_classes()}


_BUILTIN = _builtin()


def default_class(classes: Mapping[str, dict]) -> dict | None:
    """getDefaultPriorityClass: among the globalDefault classes, the lowest value."""
    best = None
    for pc in classes.values():
        if pc.get("globalDefault") and (best is None or (pc.get("value") or 0) < (best.get("value") or 0)):
            best = pc
    return best


def admit_pod(pod: dict, classes: Mapping[str, dict] | None) -> None:
    """Set spec.priority and spec.preemptionPolicy on a Pod being created (admitPod)."""
    if classes is None:
        classes = _BUILTIN            # admission without a store (unit use): the built-ins only
    spec = pod["spec"]
    name = objects.name_of(pod) or None
    cls_name = spec.get("priorityClassName") or ""
    if not cls_name:
        pc = default_class(classes)
        if pc is not None:
            spec["priorityClassName"] = objects.name_of(pc)
            value, policy = pc.get("value") or 0, pc.get("preemptionPolicy")
        else:
            value, policy = 0, DEFAULT_POLICY
    else:
        pc = classes.get(cls_name)
        if pc is None:
            raise errors.Forbidden("pods", "", name, f"no PriorityClass with name {cls_name} was found")
        value, policy = pc.get("value") or 0, pc.get("preemptionPolicy")
    given = spec.get("priority")
    if given is not None and given != value:
        raise errors.Forbidden("pods", "", name,
                               f"the integer value of priority ({given}) must not be provided in pod spec; "
                               f"priority admission controller computed {value} from the given PriorityClass name")
    spec["priority"] = value
    if policy is not None:
        cur = spec.get("preemptionPolicy")
        if cur is not None and cur != policy:
            raise errors.Forbidden("pods", "", name,
                                   f"the string value of PreemptionPolicy ({cur}) must not be provided in pod spec; "
                                   f"priority admission controller computed {policy} from the given PriorityClass name")
        spec["preemptionPolicy"] = policy


def admit_pod_update(pod: dict, old: dict) -> None:
    """An update keeps what the plugin set on create when the client leaves it out."""
    spec, ospec = pod["spec"], old.get("spec") or {}
    for key in ("priority", "preemptionPolicy"):
        if spec.get(key) is None and ospec.get(key) is not None:
            spec[key] = ospec[key]


def check_class(pc: dict, classes: Mapping[str, dict], *, update: bool) -> None:
    """validatePriorityClass: a second globalDefault class is refused."""
    if not pc.get("globalDefault"):
        return
    current = default_class(classes)
    name = objects.name_of(pc)
    if current is not None and (not update or objects.name_of(current) != name):
        raise errors.Forbidden("priorityclasses", "scheduling.k8s.io", name,
                               f"PriorityClass {objects.name_of(current)} is marked as globalDefault. "
                               "Only one PriorityClass can be marked as globalDefault")


def is_system_class(name: str) -> bool:
    return name in SYSTEM_CLASSES
