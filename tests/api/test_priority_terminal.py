"""The in-page terminal's kubectl for PriorityClasses: create priorityclass as kubectl's generator
builds it (and wraps a refusal), get columns, describe as k/kubectl's describer; and describe pod
showing the priority a preemptor got."""
from __future__ import annotations

import pytest

from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store


@pytest.fixture
def cluster():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=1)
    c.run_until_idle()
    yield c


def test_create_get_and_describe_priority_classes(k, cluster):
    assert k("kubectl create priorityclass high --value=1000 --description=important") == (
        "priorityclass.scheduling.k8s.io/high created\n", 0)
    assert k("kubectl create pc calm --value=1 --global-default --preemption-policy=Never") == (
        "priorityclass.scheduling.k8s.io/calm created\n", 0)
    assert k("kubectl create priorityclass huge --value=2000000000") == (
        'error: failed to create priorityclass: PriorityClass.scheduling.k8s.io "huge" is invalid: value: '
        'Forbidden: maximum allowed value of a user defined priority is 1000000000\n', 1)
    cluster.advance(5)
    out, _ = k("kubectl get priorityclass")
    assert out.splitlines() == [
        "NAME                      VALUE        GLOBAL-DEFAULT   AGE   PREEMPTIONPOLICY",
        "calm                      1            true             5s    Never",
        "high                      1000         false            5s    PreemptLowerPriority",
        "system-cluster-critical   2000000000   false            5s    PreemptLowerPriority",
        "system-node-critical      2000001000   false            5s    PreemptLowerPriority"]
    out, code = k("kubectl describe priorityclass high")
    assert (out.splitlines(), code) == (["Name:              high", "Value:             1000",
                                         "GlobalDefault:     false", "PreemptionPolicy:  PreemptLowerPriority",
                                         "Description:       important", "Annotations:       <none>",
                                         "Events:            <none>"], 0)
    k("kubectl run web --image=nginx")
    out, _ = k("kubectl describe pod web")
    assert "Priority:             1\n" in out and "Priority Class Name:  calm\n" in out, out
