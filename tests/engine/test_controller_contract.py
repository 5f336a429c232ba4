"""The controller contract (engine/loop.py), checked on the real loop and a manual
clock with a small controller of ConfigMaps: a Result comes back after its delay, an error is
retried with the queue's one backoff (5 ms·2ⁿ, reset by a success), a TerminalError becomes a
Warning Event and is not retried — and the Deployment controller's empty selector takes that
path, as upstream's SelectingAll."""
import logging

import pytest

import engine.cluster as cluster_module
from engine import errors, objects, resources as kinds
from engine.clock import ManualClock
from engine.loop import Controller, Result, TerminalError, own_key
from engine.controllers.serviceaccounts import ServiceAccountsController   # pods need their account
from engine.controllers.deployment import DeploymentController
from engine.store import Store

from test_replicaset import NodesOnly


class Scripted(Controller):
    """Reconciles ConfigMaps by what their `data.do` says, and notes when it ran."""
    name = "scripted-controller"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.runs: list[float] = []
        self.failures_left = 0

    def handlers(self):
        return {"configmaps": own_key}

    def reconcile(self, key):
        ns, name = objects.split_key(key)
        cm = self.store.try_get(kinds.CONFIGMAP, ns, name)
        if cm is None:
            return None
        self.runs.append(self.clock.now())
        do = (cm.get("data") or {}).get("do")
        if do == "requeue":
            return Result(5.0)
        if do == "fail" and self.failures_left:
            self.failures_left -= 1
            raise errors.Conflict("configmaps", "", name)
        if do == "crash" and self.failures_left:
            self.failures_left -= 1
            raise RuntimeError("a bug")
        if do == "terminal":
            raise TerminalError(cm, "BadInput", "data.do says this cannot be fixed by retrying")
        return None


@pytest.fixture
def cluster(monkeypatch):
    monkeypatch.setattr(cluster_module, "_controller_classes",
                        lambda: [Scripted, DeploymentController, NodesOnly, ServiceAccountsController])
    c = cluster_module.Cluster(store=Store(), clock=ManualClock(), nodes=1)
    c.run_until_idle()
    return c


def configmap(cluster, do):
    cluster.store.create({"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"name": "cm", "namespace": "default"}, "data": {"do": do}})
    cluster.run_until_idle()
    return cluster.controller("scripted-controller")


def warnings_on(cluster, kind, name):
    return [(e["type"], e["reason"], e["message"], e.get("count", 1)) for e in cluster.store.iter(kinds.EVENT, "default")
            if e["involvedObject"]["kind"] == kind and e["involvedObject"]["name"] == name]


def test_a_result_is_reconciled_again_after_its_delay_and_not_before(cluster):
    ctl = configmap(cluster, "requeue")
    start = ctl.runs[0]
    cluster.advance(4.9)
    assert len(ctl.runs) == 1
    cluster.advance(0.2)
    assert len(ctl.runs) == 2 and ctl.runs[1] - start == pytest.approx(5.0)


def test_an_error_is_retried_with_the_queues_backoff_then_forgotten(cluster, caplog):
    ctl = cluster.controller("scripted-controller")
    ctl.failures_left = 4
    caplog.set_level(logging.DEBUG, logger="kubeplay.engine")
    configmap(cluster, "fail")
    cluster.advance(1.0)
    gaps = [round(b - a, 4) for a, b in zip(ctl.runs, ctl.runs[1:])]
    assert gaps == [0.005, 0.01, 0.02, 0.04]            # 5 ms·2ⁿ, then the success
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]   # API errors: quiet
    # The success reset the backoff: the next failure waits 5 ms again.
    ctl.failures_left = 1
    cm = objects.clone(cluster.store.get(kinds.CONFIGMAP, "default", "cm"))
    cm["data"]["again"] = "1"
    cluster.store.update(cm)
    n = len(ctl.runs)
    cluster.advance(1.0)
    assert round(ctl.runs[n + 1] - ctl.runs[n], 4) == 0.005


def test_an_unexpected_exception_is_logged_and_retried(cluster, caplog):
    ctl = cluster.controller("scripted-controller")
    ctl.failures_left = 1
    configmap(cluster, "crash")
    cluster.advance(0.1)
    assert len(ctl.runs) == 2
    assert any("reconcile default/cm failed" in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_terminal_error_is_a_warning_event_and_is_not_retried(cluster):
    ctl = configmap(cluster, "terminal")
    cluster.advance(600)
    assert len(ctl.runs) == 1
    assert warnings_on(cluster, "ConfigMap", "cm") == [
        ("Warning", "BadInput", "data.do says this cannot be fixed by retrying", 1)]


def test_a_deployment_selecting_everything_warns_records_its_generation_and_stops(cluster):
    # Admission refuses an empty selector for apps/v1; a stored one (an older object, a bug
    # elsewhere) must still not make the controller adopt every pod of the namespace.
    cluster.store.create({"apiVersion": "apps/v1", "kind": "Deployment",
                          "metadata": {"name": "all", "namespace": "default", "generation": 1},
                          "spec": {"replicas": 1, "selector": {},
                                   "template": {"metadata": {"labels": {"app": "x"}},
                                                "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}},
                         admit=False)
    cluster.advance(60)
    d = cluster.store.get(kinds.DEPLOYMENT, "default", "all")
    assert d["status"]["observedGeneration"] == 1
    assert not list(cluster.store.iter(kinds.REPLICASET, "default"))
    [(etype, reason, message, count)] = warnings_on(cluster, "Deployment", "all")
    assert (etype, reason, message) == (
        "Warning", "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.")
    cluster.advance(600)                    # not retried: the Event is not repeated
    assert warnings_on(cluster, "Deployment", "all")[0][3] == count
