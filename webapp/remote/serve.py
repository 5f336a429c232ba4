"""`kubeplay serve --kubeconfig FILE [--context NAME] [--read-only]`: the page over a real cluster.

Loopback only, with no token of its own: the server holds the cluster's credentials, so it
must not be reachable from other machines, and the browser never sees them (the page talks to
this server; this server talks to the cluster)."""
from __future__ import annotations

import logging
import sys
import threading
import webbrowser

from .connection import KubeconfigError, connect

log = logging.getLogger("kubeplay.remote")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve_remote(args) -> int:
    from werkzeug.serving import make_server

    from webapp.extension import kubeplay_of
    from webapp.quiet_serving import QuietServing
    from webapp.serving import Handler

    from .app import create_remote_app
    from .mirror import Mirror

    if args.host not in LOOPBACK:
        print(f"kubeplay: refusing to listen on {args.host} with --kubeconfig: the server acts with "
              "that kubeconfig's credentials, so it listens on loopback only", file=sys.stderr)
        return 2
    if args.token:
        print("kubeplay: --token is for serving the playground beyond loopback; with --kubeconfig the "
              "server stays on loopback", file=sys.stderr)
        return 2
    if not args.access_log:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        remote = connect(args.kubeconfig or None, args.context, read_only=args.read_only)
    except KubeconfigError as e:
        print(f"kubeplay: {e}", file=sys.stderr)
        return 2
    mirror = Mirror(remote, namespace=args.namespace, node=args.node, selector=args.selector)
    app = create_remote_app(remote, mirror, allow_hosts=args.allow_host or ())
    try:
        srv = make_server(args.host, args.port, app, threaded=True, request_handler=Handler)
    except OSError as e:
        print(f"kubeplay: cannot listen on {args.host}:{args.port}: {e.strerror}", file=sys.stderr)
        return 1
    mirror.start()
    host = "[::1]" if args.host == "::1" else args.host
    url = f"http://{host}:{srv.server_port}"
    print(f"kubeplay is running at {url}/", flush=True)
    print(f"  cluster: context {remote.context} at {remote.server}"
          f"{' (read-only: no action is sent)' if remote.read_only else ''}", flush=True)
    print("  kubectl: use your own kubeconfig for the cluster; this server answers only its page", flush=True)

    serving = QuietServing(srv)     # no wake-ups while nothing comes (quiet_serving.py)
    serving.stop_on_signals()
    if not args.no_browser:
        threading.Timer(0.5, lambda: webbrowser.open(url + "/")).start()
    try:
        serving.serve()
    finally:
        kubeplay_of(app).close()
        mirror.stop()
        srv.server_close()
        print("kubeplay stopped", flush=True)
    return 0
