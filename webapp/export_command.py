"""`kubeplay export`: the running playground's objects as clean manifests, on stdout or in a
file. The server picks and cleans them (GET /kubeplay/v1/export, webapp/page/export.py, the same
answer the page's Export downloads); this command finds the server (webapp/playground_client.py)
and writes what it answers."""
from __future__ import annotations

import os
import sys
from urllib.parse import urlencode

from .playground_client import Playground, PlaygroundError


def export(args, runtime_file: str) -> int:
    query = {"output": args.output}
    if args.namespace:
        query["namespace"] = args.namespace
    try:
        playground = Playground.find(runtime_file, args.server, args.token)
        text, headers = playground.request("GET", "/kubeplay/v1/export?" + urlencode(query))
    except PlaygroundError as e:
        print(f"kubeplay: {e}", file=sys.stderr)
        return 1
    if not args.file or args.file == "-":
        sys.stdout.write(text.decode())
        sys.stdout.flush()
        return 0
    try:
        with open(args.file, "wb") as f:
            f.write(text)
    except OSError as e:
        print(f"kubeplay: cannot write {args.file}: {e.strerror}", file=sys.stderr)
        return 1
    count = headers.get("X-Kubeplay-Objects", "?")
    print(f"kubeplay: wrote {count} objects to {os.path.abspath(args.file)} "
          f"(apply them with `kubectl apply -f {args.file}`)", file=sys.stderr)
    return 0


def add_parser(sub, runtime_file: str) -> None:
    e = sub.add_parser("export", help="write the playground's objects as manifests for a real cluster",
                       description="Write the running playground's objects as clean manifests that apply to "
                                   "a real cluster unchanged: no status, no server-set fields, no objects "
                                   "the cluster makes by itself (ReplicaSets of Deployments, their Pods, "
                                   "Endpoints, ...). Reads the server `kubeplay serve` started (or --server).")
    e.add_argument("-n", "--namespace", help="only this namespace's objects (default: every namespace "
                                             "but the system ones, and cluster-scoped objects)")
    e.add_argument("-o", "--output", choices=("yaml", "json"), default="yaml",
                   help="yaml (one document per object) or json (a v1 List) (default: yaml)")
    e.add_argument("-f", "--file", metavar="FILE", help="write to FILE (default: standard output)")
    e.add_argument("--server", metavar="URL", help="the kubeplay server (default: the running one, "
                                                   "from ~/.kubeplay/server.json)")
    e.add_argument("--token", metavar="T", help="its bearer token (default: the running one's)")
    e.set_defaults(func=lambda args: export(args, runtime_file))
