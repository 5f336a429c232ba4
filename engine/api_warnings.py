"""The warnings one API request collects, as data: what kube-apiserver's warning recorder
(k8s.io/apiserver pkg/warning, pkg/endpoints/filters/warning.go) gathers while it handles a write
and sends back as `Warning: 299 - "<text>"` headers. The web layer opens a collection around a
request (`begin`/`end`) and turns the texts into headers; admission adds to it (`add`). Writes
made outside a collection (the engine's own, from its thread) record nothing.

`field_warnings` says whether the request's fieldValidation asks for the decoder's unknown- and
duplicate-field findings as warnings (Warn, and the apiserver's default when the parameter is
unset) or wants them dropped silently (Ignore); Strict refuses them before they get here."""
from __future__ import annotations

from contextvars import ContextVar, Token


class Collected:
    """The texts recorded so far, in order, each once (the recorder de-duplicates)."""
    __slots__ = ("texts", "field_warnings")

    def __init__(self, field_warnings: bool):
        self.texts: list[str] = []
        self.field_warnings = field_warnings


_current: ContextVar[Collected | None] = ContextVar("kubeplay_api_warnings", default=None)


def begin(*, field_warnings: bool = True) -> tuple[Collected, Token]:
    """Start collecting for the current request; hand the token back to `end`."""
    c = Collected(field_warnings)
    return c, _current.set(c)


def end(token: Token) -> None:
    _current.reset(token)


def add(text: str) -> None:
    """Record one warning (empty texts and repeats are dropped, as the recorder does)."""
    c = _current.get()
    if c is None or not text or text in c.texts:
        return
    c.texts.append(text)


def add_all(texts) -> None:
    for t in texts:
        add(t)


def add_field_warnings(texts) -> None:
    """The decoder's strict findings, recorded only when fieldValidation asks for warnings."""
    c = _current.get()
    if c is not None and c.field_warnings:
        add_all(texts)


def header_value(text: str) -> str:
    """net.NewWarningHeader(299, "-", text): `299 - "<text>"` with `"` and `\\` escaped."""
    return '299 - "' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
