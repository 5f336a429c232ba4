"""One connection to a real cluster, made from a kubeconfig by the `kubernetes` client's loader.

The loader does what kubectl does with a kubeconfig: client certificates, bearer tokens, exec
credential plugins (EKS, GKE, AKS; refreshed when they expire), `proxy-url`, KUBECONFIG lists.
What the page may learn about the connection is `describe()`: the context, the server's URL and
the namespace; never a token, a certificate or a key (they stay inside the ApiClient)."""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

log = logging.getLogger("kubeplay.remote")

# Connect within this; a watch's read waits longer than its server-side timeoutSeconds.
CONNECT_TIMEOUT = 10.0
REQUEST_TIMEOUT = 30.0


class RemoteError(Exception):
    """A request the cluster refused (or could not be sent): `code` and the apiserver's Status."""

    def __init__(self, code: int, status: dict):
        self.code, self.status = code, status
        super().__init__(status.get("message") or f"HTTP {code}")

    @property
    def message(self) -> str:
        return self.status.get("message") or f"the server answered HTTP {self.code}"


class KubeconfigError(Exception):
    pass


@dataclass
class Remote:
    api: object              # kubernetes.client.ApiClient: holds the credentials
    context: str
    server: str              # scheme://host:port only (no path, no userinfo)
    namespace: str           # the context's namespace ("default" when it names none)
    read_only: bool = False

    def describe(self) -> dict:
        """What the page is told about the connection (no credentials)."""
        return {"context": self.context, "server": self.server, "namespace": self.namespace,
                "readOnly": self.read_only}

    # ---- requests -------------------------------------------------------------------------------

    def _send(self, method: str, path: str, query: list | None, headers: dict, body, timeout):
        """The urllib3 response (body unread) of a 2xx answer; RemoteError otherwise. The client's
        param_serialize adds the credentials (refreshing an exec plugin's token when it expired)."""
        from kubernetes.client.exceptions import ApiException
        try:
            m, url, hdrs, data, post = self.api.param_serialize(method, path, query_params=query or [],
                                                                header_params=headers, body=body,
                                                                auth_settings=["BearerToken"])
            resp = self.api.call_api(m, url, header_params=hdrs, body=data, post_params=post,
                                     _request_timeout=timeout).response
        except ApiException as e:
            raise RemoteError(e.status or 503, _status_of(e.status or 503, e.body, e.reason)) from None
        except Exception as e:              # cannot connect, TLS, an exec plugin failing
            raise RemoteError(503, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                    "reason": "ServiceUnavailable", "code": 503,
                                    "message": f"cannot reach the cluster at {self.server}: {_plain(e)}"}) from None
        if not 200 <= resp.status < 300:
            text = resp.data
            resp.release_conn()
            raise RemoteError(resp.status, _status_of(resp.status, text, resp.reason))
        return resp

    def request(self, method: str, path: str, *, query: list | None = None, body=None,
                content_type: str | None = None, timeout: float = REQUEST_TIMEOUT):
        """One request to the cluster's API: the parsed JSON answer, or RemoteError with the
        apiserver's Status."""
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
            if content_type == "application/apply-patch+yaml" and not isinstance(body, str):
                body = json.dumps(body)        # JSON is YAML: sent as the text it is
        elif body is not None:
            headers["Content-Type"] = "application/json"
        resp = self._send(method, path, query, headers, body, (CONNECT_TIMEOUT, timeout))
        try:
            text = resp.data.decode("utf-8", "replace")
        finally:
            resp.release_conn()
        return json.loads(text) if text.strip() else {}

    def open_watch(self, path: str, query: list, timeout_seconds: int):
        """A streaming watch response (urllib3): read it line by line, release it when done."""
        return self._send("GET", path, query, {"Accept": "application/json"}, None,
                          (CONNECT_TIMEOUT, timeout_seconds + 30))

    def open_log(self, path: str, query: list, follow: bool):
        """A pod's log as a streaming response (urllib3); a followed log may stay open for hours,
        so it has no read timeout."""
        return self._send("GET", path, query, {"Accept": "*/*"}, None,
                          (CONNECT_TIMEOUT, None) if follow else (CONNECT_TIMEOUT, REQUEST_TIMEOUT))


def connect(kubeconfig: str | None, context: str | None, read_only: bool = False) -> Remote:
    """A Remote for `context` (default: the kubeconfig's current context) of `kubeconfig` (default:
    KUBECONFIG, else ~/.kube/config, as kubectl)."""
    from kubernetes import config as kconfig
    from kubernetes.config.config_exception import ConfigException
    path = kubeconfig or os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")
    try:
        contexts, active = kconfig.list_kube_config_contexts(config_file=path)
        chosen = active
        if context is not None:
            chosen = next((c for c in contexts if c.get("name") == context), None)
            if chosen is None:
                raise KubeconfigError(f'context "{context}" does not exist in {path}')
        if not chosen:
            raise KubeconfigError(f"{path} has no current context: pass --context NAME")
        api = kconfig.new_client_from_config(config_file=path, context=chosen["name"], persist_config=False)
    except ConfigException as e:
        raise KubeconfigError(f"cannot use the kubeconfig {path}: {e}") from None
    except (OSError, ValueError) as e:
        raise KubeconfigError(f"cannot read the kubeconfig {path}: {e}") from None
    host = api.configuration.host or ""
    parts = urlsplit(host)
    server = f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}" if parts.hostname else host
    namespace = ((chosen.get("context") or {}).get("namespace")) or "default"
    return Remote(api=api, context=chosen["name"], server=server, namespace=namespace, read_only=read_only)


def _status_of(code: int, body, reason) -> dict:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        st = json.loads(body) if body else None
    except ValueError:
        st = None
    if isinstance(st, dict) and st.get("kind") == "Status":
        return st
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": code, "reason": str(reason or ""),
            "message": (body.strip() if isinstance(body, str) and body.strip() else f"the server answered HTTP {code}")}


def _plain(e: Exception) -> str:
    """An exception in a sentence, without what a URL's userinfo or a header might carry."""
    text = str(e).splitlines()[0] if str(e) else type(e).__name__
    return text[:300]
