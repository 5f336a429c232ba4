"""The DefaultIngressClass admission plugin (k/k plugin/pkg/admission/network/defaultingressclass),
which reads the cluster's IngressClasses: an Ingress created without `spec.ingressClassName` and
without the old `kubernetes.io/ingress.class` annotation gets the name of the class annotated
`ingressclass.kubernetes.io/is-default-class: "true"` (this cluster's `nginx`, installed with the
ingress controller). Several default classes: the newest wins (then the first name), as upstream
since v1.28. The store calls it for Ingress creates, after decoding and validation."""
from __future__ import annotations

from . import objects, resources as kinds

DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
CLASS_ANNOTATION = "kubernetes.io/ingress.class"


def default_class(classes) -> dict | None:
    marked = [c for c in classes if (objects.meta(c).get("annotations") or {}).get(DEFAULT_CLASS_ANNOTATION) == "true"]
    if not marked:
        return None
    # newest first; equal timestamps by name (sort.Slice in getDefaultClass)
    marked.sort(key=lambda c: objects.name_of(c))
    marked.sort(key=lambda c: objects.parse_time(objects.meta(c).get("creationTimestamp")) or 0.0, reverse=True)
    return marked[0]


def admit_ingress_create(store, ing: dict) -> None:
    spec = ing.get("spec")
    if not isinstance(spec, dict) or spec.get("ingressClassName") is not None:
        return
    if CLASS_ANNOTATION in (objects.meta(ing).get("annotations") or {}):
        return
    found = default_class(store.iter(kinds.INGRESSCLASS))
    if found is not None:
        spec["ingressClassName"] = objects.name_of(found)
