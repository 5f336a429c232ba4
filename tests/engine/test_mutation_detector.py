"""The mutation detector the engine tests run under (tests/engine/conftest.py): a stored object
changed in place is named, with the fields that changed; a write of a changed copy is not."""
import pytest

from engine import objects, resources as kinds
from engine.clock import ManualClock
from engine.mutation_detector import MutationDetector, MutationError
from engine.store import Store


def store_with_default_namespace() -> Store:
    store = Store(clock=ManualClock())
    store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    return store


def configmap(name):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"},
            "data": {"k": "v"}}


def test_an_object_changed_in_place_is_named_with_the_changed_fields():
    store = store_with_default_namespace()
    detector = MutationDetector().attach(store)
    store.create(configmap("a"))
    stored = store.get(kinds.CONFIGMAP, "default", "a")
    stored["data"]["k"] = "changed"
    try:
        with pytest.raises(MutationError) as e:
            detector.check()
        assert "ConfigMap default/a" in str(e.value) and "data.k" in str(e.value)
    finally:
        stored["data"]["k"] = "v"           # (the conftest's own detector checks this store too)
    detector.check()


def test_writing_a_changed_copy_is_fine():
    store = store_with_default_namespace()
    detector = MutationDetector().attach(store)
    store.create(configmap("a"))
    copy = objects.clone(store.get(kinds.CONFIGMAP, "default", "a"))
    copy["data"]["k"] = "changed"
    store.update(copy)
    detector.check()
    assert store.get(kinds.CONFIGMAP, "default", "a")["data"]["k"] == "changed"
