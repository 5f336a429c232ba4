"""Secrets and ServiceAccounts as the apiserver takes them.

Secret (k/k pkg/apis/core/v1 conversion, defaults; pkg/apis/core/validation ValidateSecret):
* `data` values are base64 on the wire ([]byte in Go): the JSON decoder refuses anything else
  (`illegal base64 data at input byte N`);
* `stringData` is write-only: the v1→internal conversion merges it into `data` (its keys win)
  and the stored object never has it — so its errors are reported on `data[key]`;
* `type` defaults to Opaque and never changes; each built-in type requires its keys;
* `immutable: true` freezes `data` and itself (`field is immutable when `immutable` is set`).

ServiceAccount (ValidateServiceAccount): a DNS-subdomain name; nothing else to check here.
"""
from __future__ import annotations

import base64
import binascii
import json

from ..errors import FieldError
from . import names as naming
from .fields import forbidden, invalid, required, too_long
from .validation_meta import semantic_equal, validate_object_meta, validate_object_meta_update

MAX_SECRET_SIZE = 1024 * 1024

OPAQUE = "Opaque"
SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token"
DOCKERCFG = "kubernetes.io/dockercfg"
DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson"
BASIC_AUTH = "kubernetes.io/basic-auth"
SSH_AUTH = "kubernetes.io/ssh-auth"
TLS = "kubernetes.io/tls"
SERVICE_ACCOUNT_NAME_KEY = "kubernetes.io/service-account.name"
REDACTED = "<secret contents redacted>"


def _meta(obj: dict) -> dict:
    m = obj.get("metadata")
    return m if isinstance(m, dict) else {}


def _data(obj: dict) -> dict:
    d = obj.get("data")
    return d if isinstance(d, dict) else {}


# ---- decoding: base64 data, stringData merged ---------------------------------------------------

def base64_error(obj: dict) -> str | None:
    """What Go's encoding/json says of a `data` value that is not standard base64, or None."""
    for value in _data(obj).values():
        if not isinstance(value, str):
            continue                 # the schema scan reports wrong types
        err = _b64_error(value)
        if err is not None:
            return err
    return None


_B64 = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def _b64_error(text: str) -> str | None:
    # Go's base64.StdEncoding (strict padding; \r and \n are skipped): report the offset of the
    # first byte that cannot be part of valid input, as CorruptInputError does.
    raw = text.encode()
    clean = bytes(b for b in raw if b not in (10, 13))
    for i, b in enumerate(clean):
        if b == ord("="):
            if len(clean) % 4 or i < len(clean) - 2 or any(c != ord("=") for c in clean[i:]):
                return f"illegal base64 data at input byte {i}"
            break
        if b not in _B64:
            return f"illegal base64 data at input byte {i}"
    if len(clean) % 4:
        return f"illegal base64 data at input byte {len(clean) - len(clean) % 4}"
    try:
        base64.b64decode(clean, validate=True)
    except (binascii.Error, ValueError):
        return f"illegal base64 data at input byte {max(len(clean) - 1, 0)}"
    return None


def decoded(value) -> bytes:
    """A stored `data` value as bytes (stored values are valid base64: admission checked them)."""
    try:
        return base64.b64decode(str(value or ""))
    except (binascii.Error, ValueError):
        return b""


def merge_string_data(obj: dict) -> None:
    """Convert_v1_Secret_To_core_Secret: `stringData` into `data` (its keys overwrite), in place."""
    sd = obj.pop("stringData", None)
    if not isinstance(sd, dict) or not sd:
        return
    data = dict(_data(obj))
    for k, v in sd.items():
        data[k] = base64.b64encode(str(v if v is not None else "").encode()).decode()
    obj["data"] = dict(sorted(data.items()))


def default_secret(obj: dict) -> None:
    if not obj.get("type"):
        obj["type"] = OPAQUE


# ---- validation ---------------------------------------------------------------------------------

# Python's json messages → the context Go's scanner names in "invalid character 'x' <context>".
_GO_JSON_CONTEXT = {
    "Expecting value": "looking for beginning of value",
    "Expecting property name enclosed in double quotes": "looking for beginning of object key string",
    "Expecting ':' delimiter": "after object key",
    "Expecting ',' delimiter": "after object key:value pair",
    "Extra data": "after top-level value",
}


def _go_json_error(raw: bytes) -> str | None:
    """json.Unmarshal(raw, &map[string]interface{}{}) in Go's words, or None if it decodes."""
    text = raw.decode("utf-8", "replace")
    stripped = text.strip()
    if not stripped:
        return "unexpected end of JSON input"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        if e.pos >= len(text.rstrip()):
            return "unexpected end of JSON input"
        where = _GO_JSON_CONTEXT.get(e.msg, "looking for beginning of value")
        return f"invalid character {text[e.pos]!r} {where}"
    if not isinstance(value, dict):
        what = {list: "array", str: "string", bool: "bool", type(None): "null"}.get(type(value), "number")
        if value is None:
            return None                  # null leaves the map as it is
        return f"json: cannot unmarshal {what} into Go value of type map[string]interface {{}}"
    return None


def validate_secret(secret: dict) -> list[FieldError]:
    errs = validate_object_meta(_meta(secret), True, naming.name_is_dns_subdomain)
    data = _data(secret)
    total = 0
    for key in sorted(data):
        errs.extend(invalid(f"data[{key}]", key, m) for m in naming.is_config_map_key(key))
        total += len(decoded(data[key]))
    if total > MAX_SECRET_SIZE:
        errs.append(too_long("data", MAX_SECRET_SIZE))
    stype = secret.get("type") or ""
    if stype == SERVICE_ACCOUNT_TOKEN:
        if not (_meta(secret).get("annotations") or {}).get(SERVICE_ACCOUNT_NAME_KEY):
            errs.append(required(f"metadata.annotations[{SERVICE_ACCOUNT_NAME_KEY}]"))
    elif stype in (DOCKERCFG, DOCKER_CONFIG_JSON):
        key = ".dockercfg" if stype == DOCKERCFG else ".dockerconfigjson"
        if key not in data:
            errs.append(required(f"data[{key}]"))
        else:
            err = _go_json_error(decoded(data[key]))
            if err is not None:
                errs.append(invalid(f"data[{key}]", REDACTED, err))
    elif stype == BASIC_AUTH:
        if "username" not in data and "password" not in data:
            errs.append(required("data[username]"))
            errs.append(required("data[password]"))
    elif stype == SSH_AUTH:
        if not decoded(data.get("ssh-privatekey")):
            errs.append(required("data[ssh-privatekey]"))
    elif stype == TLS:
        if "tls.crt" not in data:
            errs.append(required("data[tls.crt]"))
        if "tls.key" not in data:
            errs.append(required("data[tls.key]"))
    return errs


def validate_secret_update(new: dict, old: dict) -> list[FieldError]:
    errs = validate_object_meta_update(_meta(new), _meta(old))
    if new.get("type") != old.get("type"):
        errs.append(invalid("type", new.get("type"), "field is immutable"))
    if old.get("immutable") is True:
        if new.get("immutable") is not True:
            errs.append(forbidden("immutable", "field is immutable when `immutable` is set"))
        if not semantic_equal(new.get("data"), old.get("data")):
            errs.append(forbidden("data", "field is immutable when `immutable` is set"))
    errs.extend(validate_secret(new))
    return errs


def validate_service_account(sa: dict) -> list[FieldError]:
    return validate_object_meta(_meta(sa), True, naming.name_is_dns_subdomain)


def validate_service_account_update(new: dict, old: dict) -> list[FieldError]:
    return validate_object_meta_update(_meta(new), _meta(old)) + validate_service_account(new)


CREATE = {"Secret": validate_secret, "ServiceAccount": validate_service_account}
UPDATE = {"Secret": validate_secret_update, "ServiceAccount": validate_service_account_update}
