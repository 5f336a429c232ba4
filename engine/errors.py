"""API errors shaped like metav1.Status, raised by the engine and rendered once by the web layer.

Each error knows its HTTP code, its `reason` and the exact message text the real apiserver
produces (k8s.io/apimachinery pkg/api/errors). Field-level validation problems are FieldError
values collected into one Invalid error, as the apiserver's validation does.
"""
from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One field problem: `<field>: <type>[: <value>][: <detail>]` (k8s field.Error)."""
    field: str
    type: str            # "Required value", "Invalid value", "Unsupported value", "Forbidden", ...
    value: object = None
    detail: str = ""
    has_value: bool = False

    @property
    def reason(self) -> str:
        return _CAUSE_REASONS.get(self.type, "FieldValueInvalid")

    def body(self) -> str:
        parts = [self.type]
        if self.has_value:
            parts.append(render_value(self.value))
        if self.detail:
            parts.append(self.detail)
        return ": ".join(parts)

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}"


_CAUSE_REASONS = {
    "Required value": "FieldValueRequired",
    "Invalid value": "FieldValueInvalid",
    "Unsupported value": "FieldValueNotSupported",
    "Forbidden": "FieldValueForbidden",
    "Too long": "FieldValueTooLong",
    "Too many": "FieldValueTooMany",
    "Duplicate value": "FieldValueDuplicate",
    "Not found": "FieldValueNotFound",
}


def render_value(v: object) -> str:
    """Bad values print as Go's field errors do: strings quoted, numbers bare, maps as JSON."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if v is None:
        return "null"
    return json.dumps(v, separators=(",", ":"), sort_keys=True)


# Constructors for the common field errors, named as in k8s field package.
def required(path: str, detail: str = "") -> FieldError:
    return FieldError(path, "Required value", detail=detail)


def invalid(path: str, value: object, detail: str = "") -> FieldError:
    return FieldError(path, "Invalid value", value, detail, has_value=True)


def not_supported(path: str, value: object, supported: list[str]) -> FieldError:
    detail = "supported values: " + ", ".join(json.dumps(s) for s in supported)
    return FieldError(path, "Unsupported value", value, detail, has_value=True)


def forbidden(path: str, detail: str) -> FieldError:
    return FieldError(path, "Forbidden", detail=detail)


def duplicate(path: str, value: object) -> FieldError:
    return FieldError(path, "Duplicate value", value, has_value=True)


def too_long(path: str, max_len: int) -> FieldError:
    return FieldError(path, "Too long", detail=f"must have at most {max_len} bytes")


class ApiError(Exception):
    code = 500
    reason = "InternalError"

    def __init__(self, message: str, *, details: dict | None = None, list_meta: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        self.list_meta = list_meta or {}       # the Status's own ListMeta (a 410's `continue`)

    def status(self) -> dict:
        """The metav1.Status body for this error."""
        out = {"kind": "Status", "apiVersion": "v1", "metadata": dict(self.list_meta), "status": "Failure",
               "message": self.message, "reason": self.reason, "code": self.code}
        if self.details:
            out["details"] = self.details
        return out


def _qualified(resource: str, group: str) -> str:
    return f"{resource}.{group}" if group else resource


class NotFound(ApiError):
    code, reason = 404, "NotFound"

    def __init__(self, resource: str, group: str, name: str):
        super().__init__(f'{_qualified(resource, group)} "{name}" not found',
                         details={"name": name, "group": group, "kind": resource})


class AlreadyExists(ApiError):
    code, reason = 409, "AlreadyExists"

    def __init__(self, resource: str, group: str, name: str):
        super().__init__(f'{_qualified(resource, group)} "{name}" already exists',
                         details={"name": name, "group": group, "kind": resource})


class Conflict(ApiError):
    code, reason = 409, "Conflict"

    def __init__(self, resource: str, group: str, name: str, why: str | None = None):
        why = why or ("the object has been modified; please apply your changes to the "
                      "latest version and try again")
        super().__init__(f'Operation cannot be fulfilled on {_qualified(resource, group)} "{name}": {why}',
                         details={"name": name, "group": group, "kind": resource})


class Invalid(ApiError):
    code, reason = 422, "Invalid"

    def __init__(self, kind: str, group: str, name: str, errors: list[FieldError]):
        self.errors = list(errors)
        texts = [str(e) for e in self.errors]
        body = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
        super().__init__(f'{_qualified(kind, group)} "{name}" is invalid: {body}',
                         details={"name": name, "group": group, "kind": kind,
                                  "causes": [{"reason": e.reason, "message": e.body(), "field": e.field}
                                             for e in self.errors]})


class BadRequest(ApiError):
    code, reason = 400, "BadRequest"


class Forbidden(ApiError):
    code, reason = 403, "Forbidden"

    def __init__(self, resource: str, group: str, name: str | None, why: str):
        target = f'{_qualified(resource, group)} "{name}"' if name else _qualified(resource, group)
        super().__init__(f"{target} is forbidden: {why}",
                         details={"name": name or "", "group": group, "kind": resource})


class NoSuchResource(ApiError):
    """A path naming no served resource: 404 with empty details, as the apiserver's NotFound
    handler answers. The empty `details` object matters: kubectl debug reads
    Status.details.name to tell "ephemeral containers disabled" from a missing pod, and a Status
    without details made it dereference nil and panic."""
    code, reason = 404, "NotFound"

    def status(self) -> dict:
        return dict(super().status(), details={})


class TooManyRequests(ApiError):
    """429 (apierrors.NewTooManyRequests): the Eviction API's refusal when a disruption budget
    does not allow one; `causes` say which budget, `retry_after` becomes retryAfterSeconds."""
    code, reason = 429, "TooManyRequests"

    def __init__(self, message: str, *, retry_after: int = 0, causes: list[dict] | None = None):
        details: dict = {}
        if causes:
            details["causes"] = causes
        if retry_after:
            details["retryAfterSeconds"] = retry_after
        super().__init__(message, details=details)

    def status(self) -> dict:
        return dict(super().status(), details=self.details)      # (an empty details object too)


class Timeout(ApiError):
    code, reason = 504, "Timeout"


class Expired(ApiError):
    code, reason = 410, "Expired"


class MethodNotAllowed(ApiError):
    code, reason = 405, "MethodNotAllowed"


class UnsupportedMediaType(ApiError):
    code, reason = 415, "UnsupportedMediaType"


class RequestEntityTooLarge(ApiError):
    code, reason = 413, "RequestEntityTooLarge"


class Unauthorized(ApiError):
    code, reason = 401, "Unauthorized"
