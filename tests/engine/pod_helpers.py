"""Small helpers the engine tests share (imported by name: the test folders are not packages)."""
from engine import resources as kinds


def running(cluster, name, seconds=20, namespace="default"):
    """Advance the manual clock a second at a time until pod `name` runs all its containers."""
    st: dict = {}
    for _ in range(seconds):
        cluster.advance(1)
        st = cluster.store.get(kinds.POD, namespace, name).get("status") or {}
        if st.get("phase") == "Running" and all("running" in (c.get("state") or {})
                                                 for c in st.get("containerStatuses") or [{}]):
            return
    raise AssertionError(f"pod {name} not running: {st}")
