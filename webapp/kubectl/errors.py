"""How kubectl turns errors into the text it prints (k/kubectl `pkg/cmd/util/helpers.go`).

- An apiserver `Invalid` with details is rebuilt from its causes, not from its message:
  `The Deployment "x" is invalid: spec.replicas: Invalid value: -1: ...` for one cause, or the
  header line followed by one `* field: message` line per (de-duplicated) cause.
- Any other apiserver Status: `Error from server (<Reason>): <message>`.
- Client-side failures: `error: <text>`.
"""
from __future__ import annotations

from engine import errors


class CommandError(Exception):
    """A client-side kubectl failure; str() is the text after `error: `."""


def causes(status: dict) -> list[tuple[str, str]]:
    """(field, message) of each cause, duplicates dropped as kubectl's statusCausesToAggrError does."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for c in ((status.get("details") or {}).get("causes") or []):
        text = f"{c.get('field', '')}: {c.get('message', '')}"
        if text not in seen:
            seen.add(text)
            out.append((c.get("field", ""), c.get("message", "")))
    return out


def render_status(status: dict) -> str:
    """The text kubectl prints for a failed request's metav1.Status (no trailing newline)."""
    reason = status.get("reason") or ""
    message = status.get("message") or ""
    if reason == "Invalid":
        details = status.get("details")
        if details is None:
            return f"The request is invalid: {message}"
        head = "The request is invalid"
        if details.get("kind") or details.get("name"):
            head = f'The {details.get("kind", "")} "{details.get("name", "")}" is invalid'
        found = causes(status)
        if not found:
            return head
        if len(found) == 1:
            return f"{head}: {found[0][0]}: {found[0][1]}"
        return f"{head}: \n" + "\n".join(f"* {f}: {m}" for f, m in found)
    if reason == "Unauthorized":
        return f"error: You must be logged in to the server ({message})"
    if reason:
        return f"Error from server ({reason}): {message}"
    return f"Error from server: {message}"


def render(err: BaseException) -> str:
    if isinstance(err, errors.ApiError):
        return render_status(err.status())
    if isinstance(err, CommandError):
        return f"error: {err}"
    return f"error: {err}"
