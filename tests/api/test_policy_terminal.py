"""The in-page terminal's kubectl for PodDisruptionBudgets, ResourceQuotas and LimitRanges: create
pdb / quota as kubectl's generators build them, get columns, describe as k/kubectl's describers."""
from __future__ import annotations

import pytest

from engine import resources as kinds
from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store


@pytest.fixture
def cluster():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=2)
    c.run_until_idle()
    yield c


def test_create_get_and_describe_a_pdb(k, cluster):
    k("kubectl create deployment web --image=nginx --replicas=2")
    cluster.advance(10)
    assert k("kubectl create pdb web --selector=app=web --min-available=1") == (
        "poddisruptionbudget.policy/web created\n", 0)
    assert k("kubectl create pdb x --selector=app=web") == (
        "error: one of min-available or max-unavailable must be specified\n", 1)
    assert k("kubectl create pdb x --selector=app=web --min-available=1 --max-unavailable=1") == (
        "error: min-available and max-unavailable cannot be both specified\n", 1)
    assert k("kubectl create pdb x --min-available=1") == ("error: a selector must be specified\n", 1)
    assert k("kubectl create pdb x --selector=app=web --min-available=1Gi") == (
        "error: invalid format specified for min-available\n", 1)
    cluster.advance(5)
    out, code = k("kubectl get pdb")
    assert out.splitlines() == ["NAME   MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE",
                                "web    1               N/A               1                     5s"]
    out, code = k("kubectl describe pdb web")
    assert out.splitlines() == ["Name:           web", "Namespace:      default", "Min available:  1",
                                "Selector:       app=web", "Status:", "    Allowed disruptions:  1",
                                "    Current:              2", "    Desired:              1",
                                "    Total:                2", "Events:                   <none>"]


def test_create_quota_and_describe_it_and_the_namespace(k, cluster):
    assert k("kubectl create quota q --hard=pods=5,requests.cpu=1.5") == ("resourcequota/q created\n", 0)
    assert cluster.store.get(kinds.RESOURCEQUOTA, "default", "q")["spec"] == {"hard": {"pods": "5", "requests.cpu": "1500m"}}
    cluster.store.create({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "lr"},
                          "spec": {"limits": [{"type": "Container", "max": {"cpu": "1"}}]}})
    k("kubectl run a --image=nginx")
    cluster.advance(5)
    out, _ = k("kubectl describe quota q")
    assert out.splitlines() == ["Name:         q", "Namespace:    default", "Resource      Used  Hard",
                                "--------      ----  ----", "pods          1     5", "requests.cpu  1     1500m"]
    out, _ = k("kubectl describe limitrange lr")
    # (one tabwriter for the whole text, as kubectl's: Namespace: widens the first column)
    assert out.splitlines() == [
        "Name:       lr", "Namespace:  default",
        "Type        Resource  Min  Max  Default Request  Default Limit  Max Limit/Request Ratio",
        "----        --------  ---  ---  ---------------  -------------  -----------------------",
        "Container   cpu       -    1    1                1              -"]
    out, _ = k("kubectl describe namespace default")
    assert out.split("\n\n", 1)[1].splitlines() == [
        "Resource Quotas", "  Name:         q", "  Resource      Used  Hard", "  --------      ---   ---",
        "  pods          1     5", "  requests.cpu  1     1500m", "",
        "Resource Limits",
        " Type       Resource  Min  Max  Default Request  Default Limit  Max Limit/Request Ratio",
        " ----       --------  ---  ---  ---------------  -------------  -----------------------",
        " Container  cpu       -    1    1                1              -"]
