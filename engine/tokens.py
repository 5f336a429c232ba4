"""The TokenRequest API (serviceaccounts/token; k/k pkg/registry/core/serviceaccount/storage/token.go,
pkg/apis/authentication/validation): `kubectl create token <sa>`.

The token is shaped as the apiserver's: a JWT (RS256 header with a key id; claims aud, exp, iat,
iss, jti, kubernetes.io.{namespace, serviceaccount}, nbf, sub `system:serviceaccount:<ns>:<sa>`)
signed with a key this process draws at start (HMAC standing in for the RSA key), so the API can
tell its own tokens from made-up ones (`authenticate`). Tokens are not stored and not logged
anywhere: the response is the only copy, as upstream.

`authenticate(store, token, now)` is the apiserver's service-account token authenticator: a bound
token (TokenRequest, or the one the kubelet mounts in a pod) must carry this process's signature, be
unexpired and name a ServiceAccount (and pod) that still exist with the uids it was issued for; a
legacy token must be the one its Secret holds (as upstream's legacy validator checks)."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os

from . import errors, objects, resources as kinds

GROUP, VERSION = "authentication.k8s.io", "v1"
ISSUER = "https://kubernetes.default.svc.cluster.local"      # kind's --service-account-issuer
API_AUDIENCES = [ISSUER]                                    # ... and so its --api-audiences
DEFAULT_EXPIRATION = 3600                                   # SetDefaults_TokenRequestSpec
MIN_EXPIRATION = 10 * 60
MAX_EXPIRATION = 1 << 32
# The signing key's id: sha256 of the (simulated) public key, as the apiserver derives it.
KEY_ID = base64.urlsafe_b64encode(hashlib.sha256(b"kubeplay service-account signing key").digest()).decode().rstrip("=")


# The signing key lives only in this process: a restarted server no longer accepts the bound tokens
# it issued before (as a cluster whose signing key changed), while legacy Secret tokens stay valid.
_SIGNING_KEY = os.urandom(32)
LEGACY_ISSUER = "kubernetes/serviceaccount"


def _sign(signing_input: str) -> str:
    # 256 bytes, the length of an RS256 signature with a 2048-bit key
    raw = b"".join(hmac.new(_SIGNING_KEY, signing_input.encode() + bytes([i]), hashlib.sha256).digest()
                   for i in range(8))
    return _b64url(raw)


def _jwt(claims: dict) -> str:
    header = _b64url(_claims_json({"alg": "RS256", "kid": KEY_ID}))
    body = f"{header}.{_b64url(_claims_json(claims))}"
    return f"{body}.{_sign(body)}"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _claims_json(claims: dict) -> bytes:
    return json.dumps(claims, sort_keys=True, separators=(",", ":")).encode()


def issue(sa: dict, audiences: list[str], now: float, expiration: int) -> str:
    md = sa.get("metadata") or {}
    ns, name = md.get("namespace", ""), md.get("name", "")
    iat = int(now)
    claims = {"aud": list(audiences), "exp": iat + expiration, "iat": iat, "iss": ISSUER,
              "jti": objects.new_uid(),
              "kubernetes.io": {"namespace": ns, "serviceaccount": {"name": name, "uid": md.get("uid", "")}},
              "nbf": iat, "sub": f"system:serviceaccount:{ns}:{name}"}
    return _jwt(claims)


def request_token(store, now: float, namespace: str, name: str, body) -> dict:
    """POST serviceaccounts/<name>/token: the TokenRequest with its status filled in."""
    sa = store.get(kinds.SERVICEACCOUNT, namespace, name)           # NotFound: serviceaccounts "x" not found
    if not isinstance(body, dict):
        raise errors.BadRequest("the body of the request must be an object")
    spec: dict = body["spec"] if isinstance(body.get("spec"), dict) else {}
    expiration = spec.get("expirationSeconds")
    if expiration is None:
        expiration = DEFAULT_EXPIRATION
    if not isinstance(expiration, int) or isinstance(expiration, bool):
        raise errors.BadRequest("TokenRequest in version \"v1\" cannot be handled as a TokenRequest: json: cannot "
                                "unmarshal " + ("string" if isinstance(expiration, str) else "value")
                                + " into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64")
    errs = []
    if expiration < MIN_EXPIRATION:
        errs.append(errors.invalid("spec.expirationSeconds", expiration, "may not specify a duration less than 10 minutes"))
    if expiration > MAX_EXPIRATION:
        errs.append(errors.invalid("spec.expirationSeconds", expiration, "may not specify a duration larger than 2^32 seconds"))
    if errs:
        raise errors.Invalid("TokenRequest", GROUP, "", errs)
    audiences = [a for a in spec.get("audiences") or () if isinstance(a, str)] or list(API_AUDIENCES)
    md: dict = body["metadata"] if isinstance(body.get("metadata"), dict) else {}
    return {"kind": "TokenRequest", "apiVersion": f"{GROUP}/{VERSION}",
            "metadata": {"name": name, "namespace": namespace, "creationTimestamp": md.get("creationTimestamp")},
            "spec": {"audiences": audiences, "expirationSeconds": expiration,
                     "boundObjectRef": spec.get("boundObjectRef")},
            "status": {"token": issue(sa, audiences, now, expiration),
                       "expirationTimestamp": objects.iso(now + expiration)}}


def legacy(sa: dict, secret_name: str) -> str:
    """The long-lived token the tokens controller writes into a `kubernetes.io/service-account-token`
    Secret (k/k pkg/serviceaccount/legacy.go claims; no expiry)."""
    md = sa.get("metadata") or {}
    ns, name = md.get("namespace", ""), md.get("name", "")
    claims = {"iss": LEGACY_ISSUER, "kubernetes.io/serviceaccount/namespace": ns,
              "kubernetes.io/serviceaccount/secret.name": secret_name,
              "kubernetes.io/serviceaccount/service-account.name": name,
              "kubernetes.io/serviceaccount/service-account.uid": md.get("uid", ""),
              "sub": f"system:serviceaccount:{ns}:{name}"}
    return _jwt(claims)


def pod_token(pod: dict) -> str:
    """The token the kubelet mounts in a pod (a projected serviceAccountToken bound to the pod).
    The same pod always gets the same token: the kubelet keeps it fresh, so it is checked for
    its pod and ServiceAccount, not for expiry."""
    md = pod.get("metadata") or {}
    ns, sa = md.get("namespace", ""), (pod.get("spec") or {}).get("serviceAccountName") or "default"
    iat = int(objects.parse_time(md.get("creationTimestamp")) or 0)
    claims = {"aud": list(API_AUDIENCES), "exp": iat + 3607, "iat": iat, "iss": ISSUER,
              "kubernetes.io": {"namespace": ns, "pod": {"name": md.get("name", ""), "uid": md.get("uid", "")},
                                "serviceaccount": {"name": sa}},
              "nbf": iat, "sub": f"system:serviceaccount:{ns}:{sa}"}
    return _jwt(claims)


def _decode(part: str):
    try:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, binascii.Error):
        return None


def authenticate(store, token: str, now: float) -> tuple[str, str, str] | None:
    """(namespace, name, uid) of the ServiceAccount a token authenticates as, or None (401)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    claims = _decode(parts[1])
    if not isinstance(claims, dict):
        return None
    if claims.get("iss") == LEGACY_ISSUER:
        ns = claims.get("kubernetes.io/serviceaccount/namespace")
        secret_name = claims.get("kubernetes.io/serviceaccount/secret.name")
        name = claims.get("kubernetes.io/serviceaccount/service-account.name")
        if not all(isinstance(v, str) and v for v in (ns, secret_name, name)):
            return None
        secret = store.try_get(kinds.SECRET, ns, secret_name)
        held = ((secret or {}).get("data") or {}).get("token")
        if not isinstance(held, str) or not hmac.compare_digest(held.encode(), base64.b64encode(token.encode())):
            return None
        sa = store.try_get(kinds.SERVICEACCOUNT, ns, name)
        uid = (sa or {}).get("metadata", {}).get("uid")
        if sa is None or uid != claims.get("kubernetes.io/serviceaccount/service-account.uid"):
            return None
        return str(ns), str(name), str(uid)
    if not hmac.compare_digest(parts[2].encode(), _sign(f"{parts[0]}.{parts[1]}").encode()):
        return None
    info = claims.get("kubernetes.io")
    if claims.get("iss") != ISSUER or not isinstance(info, dict):
        return None
    ns, sa_ref = info.get("namespace"), info.get("serviceaccount")
    if not isinstance(ns, str) or not isinstance(sa_ref, dict) or not isinstance(sa_ref.get("name"), str):
        return None
    sa = store.try_get(kinds.SERVICEACCOUNT, ns, sa_ref["name"])
    if sa is None:
        return None
    uid = sa["metadata"].get("uid", "")
    pod_ref = info.get("pod")
    if isinstance(pod_ref, dict):
        pod = store.try_get(kinds.POD, ns, pod_ref.get("name", ""))
        if pod is None or pod["metadata"].get("uid") != pod_ref.get("uid"):
            return None
    else:
        exp = claims.get("exp")
        if sa_ref.get("uid") != uid or not isinstance(exp, int) or exp <= now:
            return None
    return ns, str(sa_ref["name"]), str(uid)
