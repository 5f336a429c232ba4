"""The engine tests' usual cluster: three nodes on the manual clock, settled. Files that need
another shape (a DaemonSet's unsettled start, the workload tests' pinned randomness) define
their own `cluster` fixture, which takes precedence.

Every store a test makes gets a mutation detector (engine/mutation_detector.py, as client-go's
cache mutation detector): when the test ends, it fails if any stored object was changed in place
— by a controller, or by the test itself — instead of cloned."""
import pytest

from engine.clock import ManualClock
from engine.cluster import Cluster
from engine.mutation_detector import MutationDetector
from engine.store import Store


@pytest.fixture(autouse=True)
def no_stored_object_is_mutated(monkeypatch):
    detectors: list[MutationDetector] = []
    init = Store.__init__

    def init_and_detect(self, *args, **kw):
        init(self, *args, **kw)
        detectors.append(MutationDetector().attach(self))

    monkeypatch.setattr(Store, "__init__", init_and_detect)
    yield
    for d in detectors:
        d.check()


@pytest.fixture
def cluster():
    c = Cluster(store=Store(), clock=ManualClock(), nodes=3)
    c.run_until_idle()
    yield c
    c.stop()
