"""The ingress-nginx annotations the playground's controller acts on, as ingress-nginx reads them
(internal/ingress/annotations/rewrite, redirect; the nginx.tmpl and template.go that turn them
into nginx directives):

* `rewrite-target` — the location's `rewrite "(?i)<path>" <target> break;`: when the path (a
  regular expression, searched case-insensitively, not anchored) matches the request's URI, the
  URI sent to the backend becomes the target, with `$1`…`$9` replaced by the path's groups; the
  query string is kept (appended after the target's own, if it has one; a target ending in `?`
  drops it). A target equal to the path rewrites nothing.
* `use-regex` — the location's path is a regular expression. Either annotation, on any Ingress
  for a host, turns EVERY location of that host (other Ingresses' too, Exact and Prefix ones
  too) into nginx's `location ~* "^<path>"`: a case-insensitive regular expression anchored only
  at the start, tried longest path first, the first match winning;
* `app-root` — a request for `/` on the host is answered `302` to `<scheme>://<host><app-root>`
  (a server-level `if ($uri = /)`, before any location);
* `permanent-redirect` (code `permanent-redirect-code`, default 301) and `temporal-redirect`
  (302) — the location answers with a redirect to the URL instead of proxying;
* `ssl-redirect: "false"` — no 308 to https for a host with TLS; `force-ssl-redirect: "true"` —
  the 308 even without TLS.

Values are read as ingress-nginx reads them: booleans by Go's strconv.ParseBool, anything else
ignored; a redirect code outside 300–308 falls back to the default. Pure functions."""
from __future__ import annotations

import re

from . import objects

PREFIX = "nginx.ingress.kubernetes.io/"
REWRITE_TARGET = PREFIX + "rewrite-target"
USE_REGEX = PREFIX + "use-regex"
APP_ROOT = PREFIX + "app-root"
PERMANENT_REDIRECT = PREFIX + "permanent-redirect"
PERMANENT_REDIRECT_CODE = PREFIX + "permanent-redirect-code"
TEMPORAL_REDIRECT = PREFIX + "temporal-redirect"
SSL_REDIRECT = PREFIX + "ssl-redirect"
FORCE_SSL_REDIRECT = PREFIX + "force-ssl-redirect"

_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def _annotations(ing: dict) -> dict:
    return objects.meta(ing).get("annotations") or {}


def _bool(ing: dict, name: str, default: bool) -> bool:
    value = _annotations(ing).get(name)
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return default


def rewrite_target(ing: dict) -> str:
    return _annotations(ing).get(REWRITE_TARGET) or ""


def use_regex(ing: dict) -> bool:
    return _bool(ing, USE_REGEX, False)


def ssl_redirect(ing: dict) -> bool:
    return _bool(ing, SSL_REDIRECT, True)


def force_ssl_redirect(ing: dict) -> bool:
    return _bool(ing, FORCE_SSL_REDIRECT, False)


def app_root(ing: dict) -> str:
    """The app-root path; ingress-nginx ignores one that is not a path on the host."""
    value = (_annotations(ing).get(APP_ROOT) or "").strip()
    return value if value.startswith("/") else ""


def redirect(ing: dict) -> tuple[int, str] | None:
    """(code, URL) of the location's redirect annotation, permanent first."""
    ann = _annotations(ing)
    url = (ann.get(PERMANENT_REDIRECT) or "").strip()
    if url:
        try:
            code = int(ann.get(PERMANENT_REDIRECT_CODE) or 301)
        except ValueError:
            code = 301
        return (code if 300 <= code <= 308 else 301), url
    url = (ann.get(TEMPORAL_REDIRECT) or "").strip()
    if url:
        return 302, url
    return None


def needs_rewrite(path: str, target: str) -> bool:
    return bool(target) and target != path


def location_regex(path: str) -> re.Pattern | None:
    """nginx's `location ~* "^<path>"`; None for a path that is no valid expression (ingress-nginx's
    admission would have refused the Ingress: here the location just never matches)."""
    try:
        return re.compile("^" + path, re.IGNORECASE)
    except re.error:
        return None


_GROUP = re.compile(r"\$(\d)")


def rewrite(path_regex: str, target: str, uri: str) -> str | None:
    """The URI (path and query) nginx sends upstream after `rewrite "(?i)<path_regex>" <target>
    break;`, or None when the expression does not match `uri`'s path."""
    path, sep, query = uri.partition("?")
    try:
        m = re.search(path_regex, path, re.IGNORECASE)
    except re.error:
        return None
    if m is None:
        return None
    groups = m.groups()

    def group(g: re.Match) -> str:
        n = int(g.group(1))
        return (groups[n - 1] or "") if 0 < n <= len(groups) else ""
    new = _GROUP.sub(group, target)
    if new.endswith("?"):    # nginx: a trailing "?" drops the request's arguments
        return new[:-1]
    if not sep:
        return new
    if "?" in new:           # the target's own arguments first, then the request's
        return f"{new}&{query}" if query else new
    return f"{new}?{query}"
