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


def catalog_servers():
    """(image, container, ports the probes find listening) for every tag the image catalog names
    (else `latest`) of every image with ports whose own process serves, in a container of just
    that image (with the env a database needs to start)."""
    from engine import image_catalog
    from engine.kubelet import programs
    for entry in image_catalog.data()["images"]:
        repo = entry["repository"]
        if "*" in repo or not entry.get("ports"):
            continue
        need = (entry.get("behaviour") or {}).get("requires_env")
        for tag in (entry.get("tags") or {}).get("known") or ["latest"]:
            container = {"name": "c", "image": f"{repo}:{tag}"}
            if need:
                container["env"] = [{"name": need["any_of"][0], "value": "secret"}]
            program = programs.program_for(container, repo)
            if program.exit_code is not None:     # agnhost without a subcommand: prints its usage, exits
                continue
            yield container["image"], container, set(program.ports if program.ports is not None else entry["ports"])
