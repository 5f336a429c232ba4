"""`kubectl auth whoami` and `kubectl auth can-i` in the page's terminal (webapp/kubectl/auth.py):
the admin's answers from the stored RBAC rules, byte for byte what kubectl v1.32 prints."""
from __future__ import annotations

import webapp.kubectl as terminal


def test_auth_prints_what_kubectl_prints(kubeplay_server):
    srv = kubeplay_server
    commands = [
        "auth whoami", "auth can-i get pods", "auth can-i delete deployments.apps -n kube-system",
        "auth can-i * *", "auth can-i get /healthz", "auth can-i list pods -A", "auth can-i get nodes",
        "auth can-i get nodes -A", "auth can-i list clusterroles.rbac.authorization.k8s.io",
        "auth can-i get pizzas", "auth can-i get pizzas.example.com", "auth can-i frob pods",
        "auth can-i frob /healthz", "auth can-i get pods/web", "auth can-i get deploy/web -q",
        "auth can-i get users", "auth can-i create selfsubjectaccessreviews",
        "auth can-i create localsubjectaccessreviews", "auth can-i create subjectaccessreviews",
        "auth can-i get /healthz --subresource=status", "auth can-i get pods --no-headers",
    ]
    for command in commands:
        real = srv.kubectl(*command.split(), check=False)
        mine = srv.post_json("/kubeplay/v1/terminal", {"command": command}, timeout=20)
        assert (mine["output"], mine["exitCode"]) == (real.stderr + real.stdout, real.returncode), command


def test_can_i_answers_from_the_rules(cluster):
    assert terminal.run(cluster, "kubectl auth can-i create deployments").output == "yes\n"
    # a learner may take the admin's binding away: the answer follows the rules, as the review does
    from engine import rbac
    cluster.store.delete(rbac.CLUSTERROLEBINDING, "", "kubeadm:cluster-admins")
    r = terminal.run(cluster, "kubectl auth can-i create deployments")
    assert (r.output, r.exit_code) == ("no\n", 1)
    r = terminal.run(cluster, "kubectl auth can-i create selfsubjectaccessreviews -A")     # system:basic-user
    assert (r.output, r.exit_code) == ("yes\n", 0)
    # the usage error as the terminal's other commands print it (cli.py: UsageError)
    for line in ("kubectl auth can-i get", "kubectl auth can-i get pods web"):
        r = terminal.run(cluster, line)
        assert (r.output, r.exit_code) == ("error: you must specify two arguments: verb resource or verb "
                                           "resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples\n", 1)
    out = terminal.run(cluster, "kubectl auth whoami -o yaml").output
    assert "username: kubernetes-admin" in out and out.startswith("apiVersion: authentication.k8s.io/v1\n")
