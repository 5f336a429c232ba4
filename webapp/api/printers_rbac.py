"""`kubectl get` columns of the RBAC kinds, as upstream's pkg/printers/internalversion/printers.go
(roleColumnDefinitions, clusterRoleColumnDefinitions: NAME CREATED AT; roleBindingsColumnDefinitions,
clusterRoleBindingsColumnDefinitions: NAME ROLE AGE, and with -o wide USERS GROUPS SERVICEACCOUNTS
from rbac.SubjectsStrings). The server prints the wide cells always; kubectl hides priority-1
columns unless asked. tables.py registers them with its other printers."""
from __future__ import annotations

from webapp.api.printers_policy import _AGE, _CREATED_DOC, _NAME, _age, _md

_ROLE_REF_DOC = {
    "rolebindings": "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. "
                    "If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
    "clusterrolebindings": "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot "
                           "be resolved, the Authorizer must return an error. This field is immutable.",
}


def _col(name: str, type_: str, description: str, priority: int = 0) -> dict:
    return {"name": name, "type": type_, "format": "", "description": description, "priority": priority}


ROLE_COLUMNS = (_NAME, _col("Created At", "date", _CREATED_DOC))


def _binding_columns(resource: str) -> tuple:
    what = "roleBinding" if resource == "rolebindings" else "clusterRoleBinding"
    return (_NAME, _col("Role", "string", _ROLE_REF_DOC[resource]), _AGE,
            _col("Users", "string", f"Users in the {what}", 1),
            _col("Groups", "string", f"Groups in the {what}", 1),
            _col("ServiceAccounts", "string", f"ServiceAccounts in the {what}", 1))


def role_cells(role: dict, now: float) -> list:
    return [_md(role).get("name", ""), _md(role).get("creationTimestamp") or "0001-01-01T00:00:00Z"]


def _subjects_strings(subjects) -> tuple[list[str], list[str], list[str]]:
    users, groups, sas = [], [], []
    for s in subjects if isinstance(subjects, list) else ():
        if not isinstance(s, dict):
            continue
        if s.get("kind") == "ServiceAccount":
            sas.append(f"{s.get('namespace') or ''}/{s.get('name') or ''}")
        elif s.get("kind") == "User":
            users.append(s.get("name") or "")
        elif s.get("kind") == "Group":
            groups.append(s.get("name") or "")
    return users, groups, sas


def binding_cells(b: dict, now: float) -> list:
    ref = b.get("roleRef") if isinstance(b.get("roleRef"), dict) else {}
    users, groups, sas = _subjects_strings(b.get("subjects"))
    return [_md(b).get("name", ""), f"{ref.get('kind') or ''}/{ref.get('name') or ''}", _age(b, now),
            ", ".join(users), ", ".join(groups), ", ".join(sas)]


TABLES = {
    ("rbac.authorization.k8s.io", "roles"): (ROLE_COLUMNS, role_cells),
    ("rbac.authorization.k8s.io", "clusterroles"): (ROLE_COLUMNS, role_cells),
    ("rbac.authorization.k8s.io", "rolebindings"): (_binding_columns("rolebindings"), binding_cells),
    ("rbac.authorization.k8s.io", "clusterrolebindings"): (_binding_columns("clusterrolebindings"), binding_cells),
}
