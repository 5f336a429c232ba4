"""`kubeplay serve` and `kubeplay kubeconfig`. `serve` builds the engine (build_cluster), hands it to
`create_app`, and starts and stops it around the HTTP server."""
from __future__ import annotations

import argparse
import base64
import ipaddress
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import webbrowser
from typing import TYPE_CHECKING

if TYPE_CHECKING:                   # the engine is imported when serving, not for `kubeplay kubeconfig`
    from engine import Cluster

RUNTIME_DIR = os.path.join(os.path.expanduser("~"), ".kubeplay")
RUNTIME_FILE = os.path.join(RUNTIME_DIR, "server.json")
KUBECONFIG_FILE = os.path.join(RUNTIME_DIR, "kubeconfig")


def kubeconfig_text(server: str, token: str | None, ca_file: str | None = None) -> str:
    user = f"{{token: {json.dumps(token)}}}" if token else "{}"
    ca = ""
    if ca_file:
        with open(ca_file, "rb") as f:
            ca = f"    certificate-authority-data: {base64.b64encode(f.read()).decode()}\n"
    return (f"apiVersion: v1\nkind: Config\n"
            f"clusters:\n- name: kubeplay\n  cluster:\n    server: {server}\n{ca}"
            f"users:\n- name: kubeplay\n  user: {user}\n"
            f"contexts:\n- name: kubeplay\n  context:\n    cluster: kubeplay\n    user: kubeplay\n    namespace: default\n"
            f"current-context: kubeplay\n")


def build_cluster(*, state: str | None = None, nodes: int = 3, pods_per_node: int = 110, speed: float = 1.0,
                  max_pods: int = 10000, realistic: bool = False) -> Cluster:
    """The cluster `kubeplay serve` runs (not started yet): state in the SQLite file `state`, or in
    memory when it is None; with a kind-like control plane (a control-plane node, its static
    pods, coredns and kube-proxy)."""
    from engine import Cluster, ScaledClock, Store, Timings
    return Cluster(store=Store(state, max_pods=max_pods), clock=ScaledClock(speed=speed), nodes=nodes,
                   pods_per_node=pods_per_node, timings=Timings.realistic() if realistic else Timings(),
                   control_plane=True)


def write_private(path: str, text: str) -> None:
    """Write a file only its owner can read (it may hold the token): created 0600, never
    world-readable for a moment, and narrowed if it already existed with a wider mode."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def find_kubectl() -> tuple[str | None, bool]:
    """(path, on_path): the kubectl a learner's shell runs, else the one `pip install
    'kubeplay[kubectl]'` put beside this kubeplay (a venv's bin/, not on PATH until activated)."""
    found = shutil.which("kubectl")
    if found:
        return found, True
    beside = os.path.join(os.path.dirname(sys.executable), "kubectl")
    if os.path.isfile(beside) and os.access(beside, os.X_OK):
        return beside, False
    return None, False


def kubectl_version(path: str) -> str | None:
    """Its client version (`v1.32.4`), or None if it would not say within a few seconds."""
    try:
        out = subprocess.run([path, "version", "--client", "-o", "json"], capture_output=True,
                             text=True, timeout=5, stdin=subprocess.DEVNULL,
                             env=dict(os.environ, KUBECONFIG=os.devnull))
        return json.loads(out.stdout)["clientVersion"]["gitVersion"]
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError):
        return None


def kubectl_line() -> str:
    """The serve banner's line about kubectl: which one the learner has, or how to get one."""
    path, on_path = find_kubectl()
    if path is None:
        return ("  no kubectl found on your PATH: `pip install 'kubeplay[kubectl]'` installs one beside "
                "kubeplay (or see https://kubernetes.io/docs/tasks/tools/)")
    version = kubectl_version(path) or "version unknown"
    if on_path:
        return f"  kubectl found: {path} ({version})"
    bindir = os.path.dirname(path)
    activate = os.path.join(bindir, "activate")
    hint = f"`source {activate}`" if os.path.isfile(activate) else f"add {bindir} to your PATH"
    return f"  kubectl found: {path} ({version}), not on your PATH: run it by that path, or {hint}"


# Seconds a thread holds the interpreter lock while another waits for it (see serve()).
SWITCH_INTERVAL = 0.001


def serve(args) -> int:
    if args.kubeconfig is not None or args.context is not None:
        from .remote.serve import serve_remote      # the page over a real cluster (webapp/remote/)
        return serve_remote(args)
    from werkzeug.serving import make_server

    from . import create_app
    from .extension import kubeplay_of
    from .quiet_serving import QuietServing

    # Ask kubectl its version while the cluster is being built, so the banner costs no wait.
    kubectl_info: list[str] = []
    probe = threading.Thread(target=lambda: kubectl_info.append(kubectl_line()), daemon=True)
    probe.start()
    if not args.access_log:
        # werkzeug logs every request at INFO; its errors (WARNING and up) still show.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    else:
        logging.getLogger("werkzeug").setLevel(logging.INFO)

    if not _is_loopback(args.host) and not args.token:
        print(f"kubeplay: refusing to listen on {args.host} without --token: anyone who can reach "
              f"it could change the cluster. Add --token SECRET (kubectl then needs the printed kubeconfig).",
              file=sys.stderr)
        return 2
    from engine import StateFileError
    from .serving import Handler
    state = None if args.in_memory else os.path.abspath(args.state)
    try:
        cluster = build_cluster(state=state, nodes=args.nodes, pods_per_node=args.pods_per_node, speed=args.speed,
                                max_pods=args.max_pods, realistic=args.realistic_timings)
    except StateFileError as e:
        print(f"kubeplay: {e}", file=sys.stderr)
        return 2
    app = create_app(cluster, token=args.token, bind_host=args.host, allow_hosts=args.allow_host or ())
    # The engine thread runs flat out during a scale-up, and a request thread needs the
    # interpreter lock again after every socket read and write; at the default 5 ms a waiting
    # thread gets it only after that long each time, so a single PATCH took tens of ms in turns.
    sys.setswitchinterval(SWITCH_INTERVAL)
    cluster.start()

    def close() -> None:
        kubeplay_of(app).close()        # open watches and streams return
        cluster.stop()
    ssl_context = cert = None
    if args.token:
        # kubectl only sends a token over TLS: serve HTTPS with our own certificate.
        from .tls import ensure_certificate
        from .tls_socket import server_context
        cert, key = ensure_certificate(RUNTIME_DIR, args.host)
        ssl_context = server_context(cert, key)      # connections safe for a reader and a writer thread
    try:
        srv = make_server(args.host, args.port, app, threaded=True, ssl_context=ssl_context,
                          request_handler=Handler)
    except OSError as e:
        close()
        print(f"kubeplay: cannot listen on {args.host}:{args.port}: {e.strerror}", file=sys.stderr)
        return 1
    shown_host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    url = f"{'https' if ssl_context else 'http'}://{shown_host}:{srv.server_port}"
    os.makedirs(RUNTIME_DIR, mode=0o700, exist_ok=True)
    os.chmod(RUNTIME_DIR, 0o700)            # it holds the token and the TLS key
    write_private(KUBECONFIG_FILE, kubeconfig_text(url, args.token, cert))
    write_private(RUNTIME_FILE, json.dumps({"url": url, "token": args.token, "ca": cert, "pid": os.getpid()}))
    page = url + (f"/?token={args.token}" if args.token else "/")
    print(f"kubeplay is running at {page}", flush=True)
    print(f"  state: {'in memory (lost on exit)' if args.in_memory else state}", flush=True)
    print(f"  kubectl: export KUBECONFIG={KUBECONFIG_FILE}", flush=True)
    probe.join(6)
    if kubectl_info:
        print(kubectl_info[0], flush=True)

    serving = QuietServing(srv)     # no wake-ups while nothing comes (quiet_serving.py)
    serving.stop_on_signals()
    if not args.no_browser:
        threading.Timer(0.5, lambda: webbrowser.open(page)).start()
    try:
        serving.serve()
    finally:
        close()
        srv.server_close()
        print("kubeplay stopped", flush=True)
    return 0


def kubeconfig(args) -> int:
    server, token, ca = args.server, args.token, None
    if server is None:
        try:
            with open(RUNTIME_FILE) as f:
                info = json.load(f)
            server, token, ca = info["url"], token or info.get("token"), info.get("ca")
        except (OSError, ValueError, KeyError):
            server = "http://127.0.0.1:8080"
    sys.stdout.write(kubeconfig_text(server, token, ca if ca and os.path.exists(ca) else None))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kubeplay", description="A Kubernetes playground on your laptop.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="start the simulated cluster, its API and the page",
                       description="Start the simulated cluster, its Kubernetes API, and the page.")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to bind; anything but loopback needs --token (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=8080, help="port to listen on; 0 picks a free one (default: 8080)")
    s.add_argument("--state", default="kubeplay.db", metavar="FILE",
                   help="SQLite state file, kept across restarts (default: ./kubeplay.db)")
    s.add_argument("--in-memory", action="store_true",
                   help="keep state in memory only, lost on exit (default: off, state in --state)")
    s.add_argument("--nodes", type=int, default=3, metavar="N",
                   help="nodes to create in a new cluster, 1-1000 (default: 3)")
    s.add_argument("--pods-per-node", type=int, default=110, metavar="N",
                   help="each new node's pod capacity, the kubelet's maxPods (default: 110)")
    s.add_argument("--speed", type=float, default=1.0, metavar="X",
                   help="simulated seconds per wall second, changeable in the page (default: 1)")
    s.add_argument("--no-browser", action="store_true", help="don't open the page in a browser (default: open it)")
    s.add_argument("--token", metavar="T",
                   help="require `Authorization: Bearer T` on every request and serve HTTPS (default: none)")
    s.add_argument("--allow-host", action="append", metavar="NAME",
                   help="also answer requests for this host name (NAME or NAME:PORT; repeatable). "
                        "By default only 127.0.0.1, localhost, [::1] and the --host value are "
                        "answered, so a web page cannot reach the server through a name of its own "
                        "(default: none)")
    s.add_argument("--max-pods", type=int, default=10000, metavar="N",
                   help="the playground's pod quota (default: 10000)")
    s.add_argument("--realistic-timings", action="store_true",
                   help="use upstream timers: 50s node grace, 300s eviction, 30s termination "
                        "(default: off, the compressed 8s/5s/2s)")
    s.add_argument("--access-log", action="store_true",
                   help="print a line for every HTTP request (default: off, so the address and "
                        "KUBECONFIG lines stay in view)")
    real = s.add_argument_group("a real cluster", "draw a real cluster instead of the playground (webapp/remote/)")
    real.add_argument("--kubeconfig", nargs="?", const="", metavar="FILE",
                      help="draw the cluster of this kubeconfig (no FILE: $KUBECONFIG, else ~/.kube/config); "
                           "the page's actions go to its API (default: the playground)")
    real.add_argument("--context", metavar="NAME", help="the kubeconfig context to use (default: its current context)")
    real.add_argument("--read-only", action="store_true",
                      help="with --kubeconfig: send no action to the cluster, only watch it (default: off)")
    real.add_argument("--namespace", metavar="NS",
                      help="with --kubeconfig: show only this namespace's objects (default: all the user may list)")
    real.add_argument("--node", metavar="NAME", help="with --kubeconfig: show only this node and its pods (default: all)")
    real.add_argument("--selector", metavar="LABELS",
                      help="with --kubeconfig: show only pods matching this label selector (default: all)")
    s.set_defaults(func=serve)
    k = sub.add_parser("kubeconfig", help="print a kubeconfig for the running server")
    k.add_argument("--server", help="server URL (default: the running kubeplay)")
    k.add_argument("--token", help="bearer token to put in it (default: the running kubeplay's)")
    k.set_defaults(func=kubeconfig)
    from . import export_command, import_command
    export_command.add_parser(sub, RUNTIME_FILE)
    import_command.add_parser(sub, RUNTIME_FILE)
    return p


def main(argv: list[str] | None = None) -> int:
    p = build_parser()
    args = p.parse_args(argv)
    # 1,000: the size issue 16 measures (100,000 pods on 1,000 nodes, as KWOK advertises)
    if args.command == "serve" and not 1 <= args.nodes <= 1000:
        p.error("--nodes must be between 1 and 1000")
    if args.command == "serve" and not 1 <= args.pods_per_node <= 10000:
        p.error("--pods-per-node must be between 1 and 10000")
    if args.command == "serve" and not 0 < args.speed <= 1000:
        p.error("--speed must be between 0 and 1000")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return args.func(args)
