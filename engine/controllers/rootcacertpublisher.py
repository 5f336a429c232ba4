"""The root CA certificate publisher (k/k pkg/controller/certificates/rootcacertpublisher, in
kube-controller-manager): every namespace gets the `kube-root-ca.crt` ConfigMap holding the
cluster's root CA (`ca.crt`), so pods can verify the apiserver at kubernetes.default.svc; a
deleted or edited copy is put back. The certificate is data (engine/data/root_ca.json)."""
from __future__ import annotations

import json
from importlib import resources as package_files
from typing import Iterable

from .. import errors, objects, resources as kinds
from ..loop import Controller, Result
from ..store import WatchEvent

CONFIG_MAP_NAME = "kube-root-ca.crt"
DESCRIPTION_ANNOTATION = "kubernetes.io/description"
DESCRIPTION = ("Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints "
               "such as the internal service IP or kubernetes.default.svc. "
               "No other usage is guaranteed across distributions of Kubernetes clusters.")


def root_ca() -> str:
    text = package_files.files("engine").joinpath("data/root_ca.json").read_text(encoding="utf-8")
    return json.loads(text)["ca.crt"]


class RootCACertPublisher(Controller):
    name = "root-ca-cert-publisher"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.data = {"ca.crt": root_ca()}

    def handlers(self):
        return {"namespaces": self._namespace, "configmaps": self._config_map}

    def _namespace(self, ev: WatchEvent) -> Iterable[str]:
        # namespaceAdded / namespaceUpdated (only an Active namespace)
        if ev.type != "DELETED" and (ev.object.get("status") or {}).get("phase", "Active") == "Active":
            yield objects.name_of(ev.object)

    def _config_map(self, ev: WatchEvent) -> Iterable[str]:
        # configMapDeleted / configMapUpdated: only ours matters
        if ev.type != "ADDED" and objects.name_of(ev.object) == CONFIG_MAP_NAME:
            yield objects.namespace_of(ev.object)

    def reconcile(self, key: str) -> Result | None:
        ns = self.store.try_get(kinds.NAMESPACE, "", key)
        if ns is None or objects.is_terminating(ns):
            return None
        cm = self.store.try_get(kinds.CONFIGMAP, key, CONFIG_MAP_NAME)
        if cm is None:
            try:
                self.store.create({"apiVersion": "v1", "kind": "ConfigMap",
                                   "metadata": {"name": CONFIG_MAP_NAME, "namespace": key,
                                                "annotations": {DESCRIPTION_ANNOTATION: DESCRIPTION}},
                                   "data": dict(self.data)}, sync=False)
            except (errors.NotFound, errors.Forbidden):
                return None       # the namespace is gone or terminating: nothing to publish into
            self.decide(key, f"Namespace {key}: no {CONFIG_MAP_NAME} ConfigMap → creating it", action="create")
            return None
        annotations = (cm.get("metadata") or {}).get("annotations") or {}
        if cm.get("data") == self.data and annotations.get(DESCRIPTION_ANNOTATION):
            return None
        new = objects.clone(cm)
        new["data"] = dict(self.data)
        new["metadata"].setdefault("annotations", {})[DESCRIPTION_ANNOTATION] = DESCRIPTION
        self.store.update(new, sync=False)
        self.decide(key, f"ConfigMap {key}/{CONFIG_MAP_NAME}: changed → restoring the root CA", action="update")
        return None
