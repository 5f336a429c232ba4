"""The API tests' usual in-process cluster and client: three nodes on the manual clock, settled,
and a Flask test client that sends the header the page sends (webapp/guard.py), so the page's
own endpoints take its requests. Files that need another shape define their own fixtures,
which take precedence."""
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


@pytest.fixture
def client(cluster):
    from webapp import create_app
    c = create_app(cluster).test_client()
    c.environ_base["HTTP_X_KUBEPLAY_REQUEST"] = "page"
    return c
