"""The TokenRequest API (serviceaccounts/token; k/k pkg/registry/core/serviceaccount/storage/token.go,
pkg/apis/authentication/validation): `kubectl create token <sa>`.

The token is shaped as the apiserver's: a JWT (RS256 header with a key id; claims aud, exp, iat,
iss, jti, kubernetes.io.{namespace, serviceaccount}, nbf, sub `system:serviceaccount:<ns>:<sa>`)
whose signature is random bytes — nothing in the playground verifies it. Tokens are not stored
and not logged anywhere: the response is the only copy, as upstream.
"""
from __future__ import annotations

import base64
import hashlib
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
    header = _b64url(_claims_json({"alg": "RS256", "kid": KEY_ID}))
    return f"{header}.{_b64url(_claims_json(claims))}.{_b64url(os.urandom(256))}"


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
    claims = {"iss": "kubernetes/serviceaccount", "kubernetes.io/serviceaccount/namespace": ns,
              "kubernetes.io/serviceaccount/secret.name": secret_name,
              "kubernetes.io/serviceaccount/service-account.name": name,
              "kubernetes.io/serviceaccount/service-account.uid": md.get("uid", ""),
              "sub": f"system:serviceaccount:{ns}:{name}"}
    header = _b64url(_claims_json({"alg": "RS256", "kid": KEY_ID}))
    return f"{header}.{_b64url(_claims_json(claims))}.{_b64url(os.urandom(256))}"
