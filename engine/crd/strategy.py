"""The registry strategy of custom objects and CRDs on update (apiextensions-apiserver's
customresource strategy): with a status subresource, an ordinary write keeps the stored status and
only the rest of the object (not metadata) moves metadata.generation; without one, status is part
of the object and every non-metadata change moves it."""
from __future__ import annotations


def prepare_for_update(new: dict, old: dict, *, status_subresource: bool) -> None:
    if status_subresource:
        if "status" in old:
            new["status"] = old["status"]
        else:
            new.pop("status", None)
    skip = ("metadata", "status") if status_subresource else ("metadata",)
    rest = {k: v for k, v in new.items() if k not in skip}
    old_rest = {k: v for k, v in old.items() if k not in skip}
    gen = old["metadata"].get("generation", 1)
    new["metadata"]["generation"] = gen + 1 if rest != old_rest else gen
