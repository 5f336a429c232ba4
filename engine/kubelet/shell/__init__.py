"""A small shell inside every simulated container (issue 11): what `kubectl exec` and `kubectl cp`
reach. `rootfs` builds a container's in-memory filesystem from its image (data in the image catalog, engine/data/images.json)
and its pod (env, volumes, /etc/hosts, /etc/resolv.conf); `syntax` parses sh; `interpreter` runs
it with the everyday commands (`commands`, `tarball`); `terminal` is the `-it` line editor.
The kubelet owns the filesystems (they live and die with container instances): `containers`."""
