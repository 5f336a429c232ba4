"""The RBAC authorizer (k/k plugin/pkg/auth/authorizer/rbac and pkg/registry/rbac/validation):
who may do what, decided from the stored Roles, ClusterRoles, RoleBindings and ClusterRoleBindings.

Pure: every function reads the store it is given and writes nothing. The web layer maps a request
to `Attributes` (its RequestInfoResolver) and asks `authorize`; the RBAC registry's escalation
check (`confirm_no_escalation`) and the access/rules reviews read the same rules.

* `authorize(store, attrs)` -> (allowed, reason): the first rule that allows, with the
  authorizer's reason text (`RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to Group "z"`);
  a denial has no reason, as the RBAC authorizer gives none.
* `rules_for(store, user, namespace)` -> (rules, errors): RulesFor, in the resolver's visiting order.
* `forbidden_message(attrs)`: the apiserver's `User "u" cannot verb resource "r" in API group "g" ...`.
* `escalation_error(store, user, namespace, rules)`: ConfirmNoEscalation's text, or None.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs

from . import errors, resources as kinds

GROUP = "rbac.authorization.k8s.io"
ROLE = kinds.BY_NAME[(GROUP, "roles")]
CLUSTERROLE = kinds.BY_NAME[(GROUP, "clusterroles")]
ROLEBINDING = kinds.BY_NAME[(GROUP, "rolebindings")]
CLUSTERROLEBINDING = kinds.BY_NAME[(GROUP, "clusterrolebindings")]

SA_PREFIX = "system:serviceaccount:"
PRIVILEGED_GROUP = "system:masters"      # EscalationAllowed: the apiserver's loopback group


@dataclass(frozen=True)
class User:
    name: str
    groups: tuple[str, ...] = ()
    uid: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)


def service_account_user(namespace: str, name: str, uid: str = "") -> User:
    """serviceaccount.UserInfo: the user a ServiceAccount token authenticates as."""
    return User(f"{SA_PREFIX}{namespace}:{name}",
                ("system:serviceaccounts", f"system:serviceaccounts:{namespace}", "system:authenticated"), uid)


def split_service_account(username: str) -> tuple[str, str] | None:
    """(namespace, name) of `system:serviceaccount:ns:name`, else None."""
    if not username.startswith(SA_PREFIX):
        return None
    parts = username[len(SA_PREFIX):].split(":")
    if len(parts) != 2 or not all(parts):
        return None
    return parts[0], parts[1]


@dataclass(frozen=True)
class Attributes:
    """authorizer.Attributes: a resource request (resource set) or a non-resource one (path)."""
    user: User
    verb: str
    resource: str = ""
    subresource: str = ""
    name: str = ""
    namespace: str = ""
    api_group: str = ""
    api_version: str = ""
    path: str = ""
    resource_request: bool = True


# ---- request attributes (k8s.io/apiserver pkg/endpoints/request/requestinfo.go NewRequestInfo) ---

def request_attributes(user: User, method: str, path: str, query: str) -> Attributes:
    """What the RBAC authorizer is asked about a request: verb from the method (a collection GET is
    list or watch, a collection DELETE deletecollection), namespace, resource/subresource/name from
    the path; paths outside /api and /apis (and discovery) are non-resource requests."""
    parts = [p for p in path.strip("/").split("/") if p] if path.strip("/") else []
    nonresource = Attributes(user=user, verb=method.lower(), path=path, resource_request=False)
    if len(parts) < 3 or parts[0] not in ("api", "apis"):
        return nonresource
    rest = parts[1:]
    group = ""
    if parts[0] == "apis":
        if len(rest) < 3:
            return nonresource
        group, rest = rest[0], rest[1:]
    version, rest = rest[0], rest[1:]
    if rest[0] in ("watch", "proxy"):
        if len(rest) < 2:
            return nonresource
        verb, rest = rest[0], rest[1:]
    else:
        verb = {"POST": "create", "GET": "get", "HEAD": "get", "PUT": "update", "PATCH": "patch",
                "DELETE": "delete"}.get(method, "")
    namespace = ""
    if rest[0] == "namespaces":
        if len(rest) > 1:
            namespace = rest[1]
            if len(rest) > 2 and rest[2] not in ("status", "finalize"):
                rest = rest[2:]
    resource = rest[0]
    name = rest[1] if len(rest) >= 2 else ""
    sub = rest[2] if len(rest) >= 3 and verb != "proxy" else ""
    args = parse_qs(query)
    if not name and verb == "get":
        verb = "watch" if (args.get("watch") or [""])[0] in ("1", "true", "True") else "list"
        for sel in (args.get("fieldSelector") or [""])[0].split(","):
            key, _, value = sel.partition("=")
            if key.strip() == "metadata.name" and value and not value.startswith("=") and "/" not in value:
                name = value.strip()
    if not name and verb == "delete":
        verb = "deletecollection"
    # v1.32 AuthorizePodWebsocketUpgradeCreateSubresource: a WebSocket GET of exec/attach/portforward
    # needs `create`, as the SPDY POST does
    if resource == "pods" and sub in ("exec", "attach", "portforward") and verb == "get":
        verb = "create"
    return Attributes(user=user, verb=verb, resource=resource, subresource=sub, name=name,
                           namespace=namespace, api_group=group, api_version=version, path=path)


# ---- matching (pkg/apis/rbac/v1/evaluation_helpers.go) -----------------------------------------

def _strs(v) -> list[str]:
    return [s for s in v if isinstance(s, str)] if isinstance(v, list) else []


def _verb_matches(rule: dict, verb: str) -> bool:
    verbs = _strs(rule.get("verbs"))
    return "*" in verbs or verb in verbs


def _group_matches(rule: dict, group: str) -> bool:
    groups = _strs(rule.get("apiGroups"))
    return "*" in groups or group in groups


def _resource_matches(rule: dict, combined: str, sub: str) -> bool:
    for r in _strs(rule.get("resources")):
        if r == "*" or r == combined:
            return True
        # "*/status" covers every resource's status subresource
        if sub and len(r) == len(sub) + 2 and r.startswith("*/") and r.endswith(sub):
            return True
    return False


def _name_matches(rule: dict, name: str) -> bool:
    names = _strs(rule.get("resourceNames"))
    return not names or name in names


def _url_matches(rule: dict, path: str) -> bool:
    for u in _strs(rule.get("nonResourceURLs")):
        if u == "*" or u == path or (u.endswith("*") and path.startswith(u[:-1])):
            return True
    return False


def rule_allows(attrs: Attributes, rule: dict) -> bool:
    if not _verb_matches(rule, attrs.verb):
        return False
    if attrs.resource_request:
        combined = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
        return (_group_matches(rule, attrs.api_group) and _resource_matches(rule, combined, attrs.subresource)
                and _name_matches(rule, attrs.name))
    return _url_matches(rule, attrs.path)


# ---- the rule resolver (pkg/registry/rbac/validation/rule.go) ------------------------------------

def _applies_to(user: User, subject: dict, binding_namespace: str) -> bool:
    kind, name = subject.get("kind"), subject.get("name")
    if kind == "User":
        return user.name == name
    if kind == "Group":
        return name in user.groups
    if kind == "ServiceAccount":
        ns = subject.get("namespace") or binding_namespace
        return bool(ns) and user.name == f"{SA_PREFIX}{ns}:{name}"
    return False


def _describe_subject(subject: dict, binding_namespace: str) -> str:
    if subject.get("kind") == "ServiceAccount":
        # upstream's describeSubject (pkg/registry/rbac/validation/rule.go) writes name/namespace
        ns = subject.get("namespace") or binding_namespace
        return f'{subject.get("kind")} "{subject.get("name")}/{ns}"'
    return f'{subject.get("kind")} "{subject.get("name")}"'


def role_reference_rules(store, role_ref: dict, namespace: str) -> list[dict]:
    """GetRoleReferenceRules: the rules a roleRef points at; NotFound when the role is missing."""
    kind, name = role_ref.get("kind"), role_ref.get("name") or ""
    if kind == "Role":
        role = store.get(ROLE, namespace, name)
    elif kind == "ClusterRole":
        role = store.get(CLUSTERROLE, "", name)
    else:
        raise errors.BadRequest(f"unsupported role reference kind: {kind!r}")
    return [r for r in role.get("rules") or () if isinstance(r, dict)]


def _visit(store, user: User, namespace: str):
    """VisitRulesFor: (source description, rule) for every rule bound to the user, ClusterRoleBindings
    first, then the namespace's RoleBindings; missing roles are reported as errors."""
    for b in store.list(CLUSTERROLEBINDING)[0]:
        for s in b.get("subjects") or ():
            if isinstance(s, dict) and _applies_to(user, s, ""):
                ref = b.get("roleRef") or {}
                try:
                    rules = role_reference_rules(store, ref, "")
                except errors.ApiError as e:
                    yield None, e
                    break
                source = (f'ClusterRoleBinding "{b["metadata"]["name"]}" of {ref.get("kind")} "{ref.get("name")}" '
                          f'to {_describe_subject(s, "")}')
                for r in rules:
                    yield source, r
                break
    if not namespace:
        return
    for b in store.list(ROLEBINDING, namespace=namespace)[0]:
        for s in b.get("subjects") or ():
            if isinstance(s, dict) and _applies_to(user, s, namespace):
                ref = b.get("roleRef") or {}
                try:
                    rules = role_reference_rules(store, ref, namespace)
                except errors.ApiError as e:
                    yield None, e
                    break
                source = (f'RoleBinding "{b["metadata"]["name"]}/{namespace}" of {ref.get("kind")} '
                          f'"{ref.get("name")}" to {_describe_subject(s, namespace)}')
                for r in rules:
                    yield source, r
                break


def authorize(store, attrs: Attributes) -> tuple[bool, str]:
    for source, rule in _visit(store, attrs.user, attrs.namespace):
        if source is not None and rule_allows(attrs, rule):
            return True, f"RBAC: allowed by {source}"
    return False, ""


def rules_for(store, user: User, namespace: str) -> tuple[list[dict], list[str]]:
    rules, errs = [], []
    for source, rule in _visit(store, user, namespace):
        if source is None:
            errs.append(str(rule))
        else:
            rules.append(rule)
    return rules, errs


# ---- the apiserver's 403 (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters) ----

def forbidden_message(attrs: Attributes) -> str:
    user = attrs.user.name
    if not attrs.resource_request:
        return f'User "{user}" cannot {attrs.verb} path "{attrs.path}"'
    resource = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
    if attrs.namespace:
        return (f'User "{user}" cannot {attrs.verb} resource "{resource}" in API group "{attrs.api_group}" '
                f'in the namespace "{attrs.namespace}"')
    return f'User "{user}" cannot {attrs.verb} resource "{resource}" in API group "{attrs.api_group}" at the cluster scope'


def forbidden(attrs: Attributes, reason: str = "") -> errors.ApiError:
    """responsewriters.Forbidden: NewForbidden(group/resource, name, message[: reason])."""
    msg = forbidden_message(attrs)
    if reason:
        msg = f"{msg}: {reason}"
    return forbidden_error(attrs.api_group, attrs.resource, attrs.name, msg)


class RBACForbidden(errors.ApiError):
    """A 403 whose Status always carries `details` (an empty object for a path), as NewForbidden."""
    code, reason = 403, "Forbidden"

    def status(self) -> dict:
        return dict(super().status(), details=self.details)


def forbidden_error(group: str, resource: str, name: str, cause: str) -> errors.ApiError:
    qualified = f"{resource}.{group}" if group else resource
    head = f'{qualified} "{name}"' if name else qualified
    details: dict = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    if resource:
        details["kind"] = resource
    return RBACForbidden(f"{head} is forbidden: {cause}" if head else f"forbidden: {cause}", details=details)


# ---- escalation (pkg/registry/rbac/validation/policy_comparator.go, rule.go) ----------------------

def _breakdown(rule: dict) -> list[dict]:
    out = []
    verbs = _strs(rule.get("verbs"))
    names = _strs(rule.get("resourceNames"))
    for g in _strs(rule.get("apiGroups")):
        for r in _strs(rule.get("resources")):
            if names:
                for n in names:
                    out += [{"apiGroups": [g], "resources": [r], "resourceNames": [n], "verbs": [v]} for v in verbs]
            else:
                out += [{"apiGroups": [g], "resources": [r], "verbs": [v]} for v in verbs]
    for u in _strs(rule.get("nonResourceURLs")):
        out += [{"nonResourceURLs": [u], "verbs": [v]} for v in verbs]
    return out


def _resource_covers_all(owned: list[str], requested: list[str]) -> bool:
    if "*" in owned or all(r in owned for r in requested):
        return True
    for path in requested:
        if path in owned:
            continue
        if "/" not in path or "*/" + path.split("/", 1)[1] not in owned:
            return False
    return True


def _urls_cover_all(owned: list[str], requested: list[str]) -> bool:
    return all(any(o == r or (o.endswith("*") and r.startswith(o[:-1])) for o in owned) for r in requested)


def _rule_covers(owner: dict, req: dict) -> bool:
    ov, og = _strs(owner.get("verbs")), _strs(owner.get("apiGroups"))
    on = _strs(owner.get("resourceNames"))
    rn = _strs(req.get("resourceNames"))
    return (("*" in ov or all(v in ov for v in _strs(req.get("verbs"))))
            and ("*" in og or all(g in og for g in _strs(req.get("apiGroups"))))
            and _resource_covers_all(_strs(owner.get("resources")), _strs(req.get("resources")))
            and _urls_cover_all(_strs(owner.get("nonResourceURLs")), _strs(req.get("nonResourceURLs")))
            and ((not on) if not rn else (not on or all(n in on for n in rn))))


def covers(owner_rules: list[dict], requested: list[dict]) -> list[dict]:
    """Covers: the broken-down requested rules no owner rule covers."""
    return [sub for r in requested for sub in _breakdown(r)
            if not any(_rule_covers(o, sub) for o in owner_rules)]


def _compact(rules: list[dict]) -> list[dict]:
    """CompactRules: simple rules (one group, one resource, at most one name) merged by verb."""
    simple: dict[tuple, dict] = {}
    out = []
    for r in rules:
        names = r.get("resourceNames") or []
        if not r.get("nonResourceURLs") and len(r.get("apiGroups") or []) == 1 \
                and len(r.get("resources") or []) == 1 and len(names) <= 1:
            key = (r["apiGroups"][0], r["resources"][0], names[0] if names else "")
            if key in simple:
                simple[key]["verbs"] = simple[key]["verbs"] + r["verbs"]
            else:
                simple[key] = {**r, "verbs": list(r["verbs"])}
        else:
            out.append(r)
    return out + list(simple.values())


def _go_quoted_list(items: list[str]) -> str:
    return "[" + " ".join(_go_quote(s) for s in items) + "]"


def _go_quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def compact_string(rule: dict) -> str:
    """rbacv1helpers.CompactString."""
    parts = []
    for key, label in (("apiGroups", "APIGroups"), ("resources", "Resources"),
                       ("nonResourceURLs", "NonResourceURLs"), ("resourceNames", "ResourceNames"), ("verbs", "Verbs")):
        if rule.get(key):
            parts.append(f"{label}:{_go_quoted_list(rule[key])}")
    return "{" + ", ".join(parts) + "}"


def escalation_error(store, user: User, namespace: str, rules: list[dict]) -> str | None:
    """ConfirmNoEscalation: None when the user holds every permission in `rules`, else the text."""
    owner, resolution_errors = rules_for(store, user, namespace)
    missing = covers(owner, [r for r in rules if isinstance(r, dict)])
    if not missing:
        return None
    descriptions = sorted({compact_string(r) for r in _compact(missing)})
    msg = (f"user {_go_quote(user.name)} (groups={_go_quoted_list(list(user.groups))}) is attempting to grant "
           f"RBAC permissions not currently held:\n" + "\n".join(descriptions))
    if resolution_errors:
        msg += f"; resolution errors: [{', '.join(resolution_errors)}]"
    return msg
