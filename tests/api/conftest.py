"""The API tests' usual in-process cluster and client: three nodes on the manual clock, settled,
a Flask test client that sends the header the page sends (webapp/guard.py), so the page's own
endpoints take its requests, and `k`, the in-page terminal through that client. Files that need
another shape (another node count) define their own `cluster`, which the others then use."""
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


@pytest.fixture
def k(client):
    """Run a kubectl command line through the page's terminal endpoint: (output, exit code)."""
    def run(command: str) -> tuple[str, int]:
        r = client.post("/kubeplay/v1/terminal", json={"command": command})
        assert r.status_code == 200
        body = r.get_json()
        return body["output"], body["exitCode"]
    return run
