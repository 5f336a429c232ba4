"""The engine tests' usual cluster: three nodes on the manual clock, settled. Files that need
another shape (a DaemonSet's unsettled start, the workload tests' pinned randomness) define
their own `cluster` fixture, which takes precedence."""
import pytest

from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.store import Store


@pytest.fixture
def cluster():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=3)
    c.run_until_idle()
    yield c
    c.stop()
