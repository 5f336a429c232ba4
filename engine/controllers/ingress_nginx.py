"""The ingress-nginx controller's bookkeeping on Ingress objects (kubernetes/ingress-nginx
internal/ingress/controller/store/store.go, internal/ingress/status/status.go), while one of its
pods (engine/ingress_nginx_install.py) is running and ready. What that pod answers is
engine/kubelet/ingress_proxy.py; this loop does what the controller writes to the API:

- a `Normal Sync "Scheduled for sync"` Event from `nginx-ingress-controller` for each new version
  of an Ingress it serves (its informer's add/update handlers) — so a new Ingress shows the event
  twice, once for the create and once for the status write that follows (`x2` in describe);
- `status.loadBalancer.ingress`: the address it publishes, `[{hostname: localhost}]` on kind
  (`--publish-status-address=localhost`), which is kubectl get's ADDRESS;
- with no ready controller pod left (its Deployment deleted or scaled to 0), the address is
  taken off again, as the controller does on shutdown (`--update-status-on-shutdown`).

Which Ingresses it serves: class `nginx` or no class (--watch-ingress-without-class), the same
rule the routing uses (engine/ingress_routing.py)."""
from __future__ import annotations

from typing import Iterable

from .. import errors, ingress_nginx_install as install, ingress_routing, objects, resources as kinds
from ..loop import Controller, Result
from ..pod_conditions import is_pod_ready
from ..store import WatchEvent

COMPONENT = "nginx-ingress-controller"


class IngressNginxController(Controller):
    name = "ingress-nginx-controller"

    def __init__(self, ctx):
        super().__init__(ctx)
        # the resourceVersion of each Ingress the controller's informer has seen (and announced
        # with a Sync event): its cache, in memory as the real controller's is
        self._synced: dict[str, int] = {}

    def handlers(self):
        return {"ingresses": self._ingress, "pods": self._pod, "ingressclasses": self._ingress_class}

    def _ingress(self, ev: WatchEvent) -> Iterable[str]:
        yield objects.key_of(ev.object)

    def _all_ingresses(self) -> Iterable[str]:
        for ing in self.store.iter(kinds.INGRESS):
            yield objects.key_of(ing)

    def _pod(self, ev: WatchEvent) -> Iterable[str]:
        # the controller's own pod coming up (or going away) changes what it does for every Ingress
        if install.is_controller_pod(ev.object):
            yield from self._all_ingresses()

    def _ingress_class(self, ev: WatchEvent) -> Iterable[str]:
        yield from self._all_ingresses()

    def _running(self) -> bool:
        return any(install.is_controller_pod(p) and is_pod_ready(p) and not objects.is_terminating(p)
                   for p in self.store.iter(kinds.POD, install.NAMESPACE))

    def reconcile(self, key: str) -> Result | None:
        ns, _, name = key.partition("/")
        ing = self.store.try_get(kinds.INGRESS, ns, name)
        if ing is None or objects.is_terminating(ing):
            self._synced.pop(key, None)         # forgotten, as the informer's cache forgets it
            return None
        if not ingress_routing.served([ing], install.CLASS_NAME):
            return None                     # another controller's class
        running = self._running()
        published = [{"hostname": install.PUBLISH_STATUS_ADDRESS}] if running else []
        rv = objects.rv_of(ing)
        if running and self._synced.get(key) != rv:
            self._synced[key] = rv
            self.recorder.event(ing, "Normal", "Sync", "Scheduled for sync", component=COMPONENT)
            self.decide(key, f"Ingress {key}: new version seen → Sync event (Scheduled for sync)", action="event")
        current = ((ing.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        if current == published:
            return None
        new = objects.clone(ing)
        lb = new.setdefault("status", {}).setdefault("loadBalancer", {})
        if published:
            lb["ingress"] = published
        else:
            lb.pop("ingress", None)
        try:
            self.store.update(new, subresource="status", sync=False)
        except errors.NotFound:
            return None
        what = f"publishing address {install.PUBLISH_STATUS_ADDRESS}" if published else "no controller pod ready: removing its address"
        self.decide(key, f"Ingress {key}: {what}", action="update")
        return None
