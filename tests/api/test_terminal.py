"""The page's terminal (webapp/page/terminal.py, webapp/kubectl): kubectl's parsing, printers and
commands, run in-process against a real in-memory cluster on a manual clock. Pure pieces (the Go
tabwriter, pflag parsing, names, error rendering) are tested without an engine."""
from __future__ import annotations

import re

import pytest

from engine import errors, resources as kinds
from webapp.kubectl.cli import Flag, FlagError, parse_flags
from webapp.kubectl.errors import CommandError, render
from webapp.kubectl.resolve import lookup, type_name_args
from webapp.kubectl.tabwriter import DESCRIBE, GET, TabWriter, align


# ---- the tabwriter ----------------------------------------------------------------------------

def test_get_columns_pad_to_the_widest_cell_plus_three_and_leave_the_last_alone():
    text = "NAME\tREADY\tAGE\nweb-1\t1/1\t5m\nlonger-name\t0/1\t10s\n"
    assert align(text, *GET) == ("NAME          READY   AGE\n"
                                 "web-1         1/1     5m\n"
                                 "longer-name   0/1     10s\n")


def test_minwidth_applies_to_narrow_columns():
    assert align("A\tB\nx\ty\n", *GET) == "A     B\nx     y\n"


def test_describe_aligns_each_run_of_lines_separately():
    """`IPs:` has no tab, so it ends the block that aligned Name: … IP: and a new one starts."""
    text = ("Name:\tweb\nService Account:\tdefault\nIP:\t10.0.0.1\nIPs:\n  IP:\t10.0.0.1\n"
            "Controlled By:\tReplicaSet/x\nContainers:\n")
    assert align(text, *DESCRIBE) == ("Name:             web\n"
                                      "Service Account:  default\n"
                                      "IP:               10.0.0.1\n"
                                      "IPs:\n"
                                      "  IP:           10.0.0.1\n"
                                      "Controlled By:  ReplicaSet/x\n"
                                      "Containers:\n")


def test_nested_columns_are_aligned_within_their_parent_block():
    text = "Conditions:\n  Type\tStatus\n  Ready \tTrue \n  PodScheduled \tTrue \n"
    assert align(text, *DESCRIBE) == ("Conditions:\n"
                                      "  Type           Status\n"
                                      "  Ready          True \n"
                                      "  PodScheduled   True \n")


def test_flush_starts_fresh_columns():
    tw = TabWriter(*DESCRIBE)
    tw.write("Tolerations:\t<none>\n")
    tw.flush()
    tw.write("Events:\n  Type\tReason\n  ----\t------\n")
    assert tw.getvalue() == "Tolerations:  <none>\nEvents:\n  Type  Reason\n  ----  ------\n"


# ---- flags, names, errors ---------------------------------------------------------------------

FLAGS = (Flag("namespace", "n"), Flag("replicas", "r", "int", 1), Flag("all-namespaces", "A", "bool"),
         Flag("image", kind="list"))


def test_flags_parse_as_pflag_does():
    args, v = parse_flags(["deploy", "-ndev", "web", "--replicas", "3", "-A", "--image=a", "--image", "b,c",
                           "--", "sh", "-c", "x"], FLAGS)
    assert args == ["deploy", "web"]
    assert (v["namespace"], v["replicas"], v["all-namespaces"], v["image"], v["--"]) == (
        "dev", 3, True, ["a", "b", "c"], ["sh", "-c", "x"])
    assert parse_flags(["-n=dev", "--all-namespaces=false"], FLAGS)[1]["namespace"] == "dev"


@pytest.mark.parametrize("tokens,message", [
    (["--nope"], "unknown flag: --nope"),
    (["-x"], "unknown shorthand flag: 'x' in -x"),
    (["--replicas"], "flag needs an argument: --replicas"),
    (["-n"], "flag needs an argument: 'n' in -n"),
    (["--replicas=three"], 'invalid argument "three" for "--replicas" flag: strconv.ParseInt: parsing "three": invalid syntax'),
])
def test_flag_errors_use_pflags_words(tokens, message):
    with pytest.raises(FlagError) as e:
        parse_flags(tokens, FLAGS)
    assert str(e.value) == message


def test_resource_names_resolve_like_the_restmapper():
    assert lookup("po") == [kinds.POD] and lookup("Pods") == [kinds.POD] and lookup("deploy") == [kinds.DEPLOYMENT]
    assert lookup("deployments.apps") == [kinds.DEPLOYMENT] and lookup("Deployment") == [kinds.DEPLOYMENT]
    assert kinds.POD in lookup("all") and kinds.SERVICE in lookup("all") and kinds.NODE not in lookup("all")
    with pytest.raises(CommandError, match='the server doesn\'t have a resource type "pizza"'):
        lookup("pizza")
    assert type_name_args(["deploy/web", "svc/web"])[1] == [(kinds.DEPLOYMENT, "web"), (kinds.SERVICE, "web")]
    assert type_name_args(["po,svc"]) == ([kinds.POD, kinds.SERVICE], [])


def test_api_errors_render_as_kubectl_prints_them():
    assert render(errors.NotFound("deployments", "apps", "x")) == \
        'Error from server (NotFound): deployments.apps "x" not found'
    one = errors.Invalid("Deployment", "apps", "x", [errors.invalid("spec.replicas", -1, "must be greater than or equal to 0")])
    assert render(one) == 'The Deployment "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'
    two = errors.Invalid("Deployment", "apps", "x", [errors.required("spec.selector"), errors.required("spec.selector"),
                                                      errors.required("spec.template")])
    assert render(two) == 'The Deployment "x" is invalid: \n* spec.selector: Required value\n* spec.template: Required value'


# ---- commands against a cluster ------------------------------------------------------------------

def settle(cluster, seconds: float = 30) -> None:
    cluster.run_until_idle()
    cluster.advance(seconds)
    cluster.run_until_idle()


def lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


def test_run_creates_a_labelled_pod(k, cluster):
    assert k("kubectl run web --image=nginx --port=80") == ("pod/web created\n", 0)
    pod = cluster.store.get(kinds.POD, "default", "web")
    assert pod["metadata"]["labels"] == {"run": "web"}
    assert pod["spec"]["containers"][0]["name"] == "web"
    assert pod["spec"]["containers"][0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert k("run web --image=nginx") == ('Error from server (AlreadyExists): pods "web" already exists\n', 1)
    assert k("run other") == ('error: required flag(s) "image" not set\n', 1)


def test_run_dry_run_prints_the_generated_pod(k, cluster):
    out, code = k("run x --image=busybox --dry-run=client -o yaml -- sleep 10")
    assert code == 0
    assert out.startswith("apiVersion: v1\nkind: Pod\nmetadata:\n  creationTimestamp: null\n  labels:\n    run: x\n")
    assert '    - "10"\n' in out and "status: {}\n" in out
    assert cluster.store.try_get(kinds.POD, "default", "x") is None


def test_create_deployment_names_the_container_after_the_image(k, cluster):
    assert k("create deployment login-app --image=registry.io/team/nginx:1.25 --replicas=3") == (
        "deployment.apps/login-app created\n", 0)
    d = cluster.store.get(kinds.DEPLOYMENT, "default", "login-app")
    assert d["metadata"]["labels"] == {"app": "login-app"}
    assert d["spec"]["selector"] == {"matchLabels": {"app": "login-app"}}
    assert d["spec"]["replicas"] == 3
    assert [c["name"] for c in d["spec"]["template"]["spec"]["containers"]] == ["nginx"]
    assert k("create deployment x --image=nginx") == ("deployment.apps/x created\n", 0)
    assert k("create deployment x --image=nginx") == (
        'error: failed to create deployment: deployments.apps "x" already exists\n', 1)
    assert k("create deployment --image=nginx") == ("error: exactly one NAME is required, got 0\n"
                                                    "See 'kubectl create deployment -h' for help and examples\n", 1)
    assert k("create deployment") == ('error: required flag(s) "image" not set\n', 1)


def test_get_prints_server_side_tables(k, cluster):
    k("create deployment web --image=nginx --replicas=2")
    settle(cluster)
    out, code = k("get pods")
    assert code == 0
    rows = lines(out)
    assert re.fullmatch(r"NAME +READY +STATUS +RESTARTS +AGE", rows[0])
    assert rows[0].index("READY") == len(rows[1].split("   ")[0]) + 3
    assert len(rows) == 3 and all(r.startswith("web-") for r in rows[1:])
    out, _ = k("get deploy -o wide")
    assert lines(out)[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]
    assert lines(out)[1].split()[0] == "web" and lines(out)[1].endswith("app=web")


def test_get_several_kinds_prefixes_names_and_separates_blocks(k, cluster):
    k("create deployment web --image=nginx")
    settle(cluster)
    out, _ = k("get deploy,rs")
    blocks = out.split("\n\n")
    assert len(blocks) == 2
    assert lines(blocks[0])[1].startswith("deployment.apps/web ")
    assert lines(blocks[1])[1].startswith("replicaset.apps/web-")


def test_get_variants(k, cluster):
    k("run web --image=nginx --labels=app=web,tier=fe")
    out, _ = k("get pods -A --show-labels")
    header, row = lines(out)[:2]
    assert header.split()[:2] == ["NAMESPACE", "NAME"] and header.endswith("LABELS")
    assert row.startswith("default ") and row.endswith("app=web,tier=fe")
    assert k("get pods -l tier=fe -o name") == ("pod/web\n", 0)
    assert k("get pods -l tier=be") == ("No resources found in default namespace.\n", 0)
    assert k("get po nope") == ('Error from server (NotFound): pods "nope" not found\n', 1)
    out, _ = k("get pod web -o json")
    assert out.startswith('{\n    "apiVersion": "v1",\n    "kind": "Pod",\n')
    out, _ = k("get pods -o yaml")
    assert out.startswith("apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n")
    assert out.endswith('kind: List\nmetadata:\n  resourceVersion: ""\n')
    out, _ = k("get nodes")
    assert lines(out)[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"] and len(lines(out)) == 4
    assert k("get pizzas")[0] == 'error: the server doesn\'t have a resource type "pizzas"\n'


def test_scale_and_set_image_and_rollout(k, cluster):
    k("create deployment web --image=nginx:1.24 --replicas=2")
    settle(cluster, 60)
    assert k("rollout status deployment/web") == ('deployment "web" successfully rolled out\n', 0)
    assert k("scale deployment web --replicas=3") == ("deployment.apps/web scaled\n", 0)
    assert k("scale deploy/web --replicas=4 --current-replicas=2") == ("error: Expected replicas to be 2, was 3\n", 1)
    assert k("scale deployment nope --replicas=1") == (
        'Error from server (NotFound): deployments.apps "nope" not found\n', 1)
    settle(cluster, 60)
    assert k("set image deployment/web nginx=nginx:1.25") == ("deployment.apps/web image updated\n", 0)
    out, _ = k("rollout status deployment web")
    assert out.startswith('Waiting for deployment "web" rollout to finish') or \
        out == 'Waiting for deployment spec update to be observed...\n'
    settle(cluster, 120)
    out, _ = k("rollout history deployment/web")
    assert out == "deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n"
    assert k("rollout undo deployment/web") == ("deployment.apps/web rolled back\n", 0)
    d = cluster.store.get(kinds.DEPLOYMENT, "default", "web")
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.24"
    assert "pod-template-hash" not in d["spec"]["template"]["metadata"]["labels"]
    assert k("rollout pause deployment/web") == ("deployment.apps/web paused\n", 0)
    assert k("rollout pause deployment/web") == ('error: deployments.apps "web" is already paused\n', 1)
    assert k("rollout undo deployment/web")[0] == ("error: you cannot rollback a paused deployment; resume it "
                                                   "first with 'kubectl rollout resume' and try again\n")
    assert k("rollout resume deployment/web") == ("deployment.apps/web resumed\n", 0)
    assert k("rollout resume deployment/web") == ('error: deployments.apps "web" is not paused\n', 1)
    assert k("rollout restart deployment/web") == ("deployment.apps/web restarted\n", 0)


def test_expose_builds_the_service_from_the_deployment(k, cluster):
    k("create deployment web --image=nginx --port=8080")
    assert k("expose deployment web --port=80 --target-port=8080 --type=NodePort") == ("service/web exposed\n", 0)
    svc = cluster.store.get(kinds.SERVICE, "default", "web")
    assert svc["spec"]["selector"] == {"app": "web"} and svc["metadata"]["labels"] == {"app": "web"}
    assert svc["spec"]["ports"][0]["port"] == 80 and svc["spec"]["ports"][0]["targetPort"] == 8080
    assert svc["spec"]["type"] == "NodePort"
    k("create deployment noports --image=nginx")
    assert k("expose deploy noports") == ("error: couldn't find port via --port flag or introspection\n", 1)


def test_describe_pod_has_kubectls_layout_and_events(k, cluster):
    k("run web --image=nginx")
    settle(cluster, 30)
    out, code = k("describe pod web")
    assert code == 0
    rows = lines(out)
    assert rows[0] == "Name:             web"
    assert rows[1] == "Namespace:        default"
    assert any(r.startswith("Node:             node-") for r in rows)
    assert "Containers:" in rows and "  web:" in rows
    assert any(re.fullmatch(r"    Image:\s+nginx", r) for r in rows)
    events = rows[rows.index("Events:"):]
    assert re.fullmatch(r"  Type +Reason +Age +From +Message", events[1])
    assert any("Scheduled" in r and "default-scheduler" in r and "Successfully assigned default/web to node-" in r
               for r in events)
    assert k("describe pod nope") == ('Error from server (NotFound): pods "nope" not found\n', 1)


def test_describe_deployment_lists_its_replica_sets(k, cluster):
    k("create deployment web --image=nginx --replicas=2")
    settle(cluster, 60)
    out, _ = k("describe deployment web")
    rows = lines(out)
    assert rows[0] == "Name:                   web"
    assert "Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable" in rows
    assert any(r.startswith("NewReplicaSet:   web-") and r.endswith("(2/2 replicas created)") for r in rows)
    assert any("ScalingReplicaSet" in r and "Scaled up replica set web-" in r for r in rows)


def test_delete_prints_the_current_kubectl_text(k, cluster):
    k("run web --image=nginx")
    assert k("delete pod web --now") == ('pod "web" deleted from default namespace\n', 0)
    assert k("delete pod web --grace-period=0 --force")[0].startswith(("Warning: Immediate deletion",
                                                                       'Error from server (NotFound)'))
    k("create deployment web --image=nginx")
    assert k("delete deployment/web") == ('deployment.apps "web" deleted from default namespace\n', 0)
    assert k("delete deployment web") == ('Error from server (NotFound): deployments.apps "web" not found\n', 1)
    assert k("delete pods")[0] == "error: resource(s) were provided, but no name was specified\n"


def test_cordon_and_drain(k, cluster):
    k("create deployment web --image=nginx --replicas=3")
    k("run bare --image=nginx")
    settle(cluster, 60)
    node = cluster.store.get(kinds.POD, "default", "bare")["spec"]["nodeName"]
    assert k(f"cordon {node}") == (f"node/{node} cordoned\n", 0)
    assert k(f"cordon {node}") == (f"node/{node} already cordoned\n", 0)
    assert "SchedulingDisabled" in k("get nodes")[0]
    out, code = k(f"drain {node}")
    assert code == 1
    assert lines(out) == [
        f"node/{node} already cordoned",
        f'error: unable to drain node "{node}" due to error: cannot delete Pods that declare no controller '
        f"(use --force to override): default/bare, continuing command...",
        "There are pending nodes to be drained:", f" {node}",
        "cannot delete Pods that declare no controller (use --force to override): default/bare"]
    out, code = k(f"drain {node} --force --ignore-daemonsets")
    assert code == 0
    rows = lines(out)
    assert rows[0] == f"node/{node} already cordoned"
    assert rows[1] == "Warning: deleting Pods that declare no controller: default/bare"
    assert "evicting pod default/bare" in rows and "pod/bare evicted" in rows
    assert rows[-1] == f"node/{node} drained"
    assert k(f"uncordon {node}") == (f"node/{node} uncordoned\n", 0)
    assert k("cordon nowhere") == ('Error from server (NotFound): nodes "nowhere" not found\n', 1)


def test_unknown_and_unsupported_commands(k):
    out, code = k("kubectl gte pods")
    assert code == 1 and out.startswith('Error: unknown command "gte" for "kubectl"\n\nDid you mean this?\n\tget')
    out, code = k("proxy")
    assert code == 1 and out.startswith('error: "kubectl proxy" is not available in the kubeplay terminal')
    assert k("get pods --bogus") == ("Error: unknown flag: --bogus\nSee 'kubectl get --help' for usage.\n", 1)
    assert k("rollout bogus") == ('error: unknown command "bogus"\nSee \'kubectl rollout -h\' for help and examples\n', 1)
    assert k("rollout")[0].startswith("Manage the rollout of one or many resources.")
    assert k('get pods "unterminated')[1] == 1
    assert k("")[1] == 0


def test_namespaces(k, cluster):
    assert k("create namespace dev") == ("namespace/dev created\n", 0)
    cluster.run_until_idle()            # the serviceaccounts controller makes its default account
    assert k("run web --image=nginx -n dev") == ("pod/web created\n", 0)
    assert cluster.store.get(kinds.POD, "dev", "web")
    assert k("-n dev get pods -o name") == ("pod/web\n", 0)
    assert k("get pods") == ("No resources found in default namespace.\n", 0)


def test_the_endpoint_rejects_bad_bodies(client):
    assert client.post("/kubeplay/v1/terminal", json={"cmd": "x"}).status_code == 400
    assert client.post("/kubeplay/v1/terminal", json={"command": "x" * 20000}).status_code == 400


def test_label_and_annotate(k, cluster):
    k("run web --image=nginx")
    assert k("label pod web env=prod") == ("pod/web labeled\n", 0)
    assert k("label pod web env=dev") == ("error: 'env' already has a value (prod), and --overwrite is false\n", 1)
    assert k("label pod web env=dev --overwrite") == ("pod/web labeled\n", 0)
    assert k("label pod web env-") == ("pod/web unlabeled\n", 0)
    assert k("annotate pod/web team=blue") == ("pod/web annotated\n", 0)
    md = cluster.store.get(kinds.POD, "default", "web")["metadata"]
    assert md["labels"] == {"run": "web"} and md["annotations"]["team"] == "blue"


def test_rollout_status_of_a_statefulset_and_restart(k, cluster):
    cluster.store.create({"apiVersion": "apps/v1", "kind": "StatefulSet",
                          "metadata": {"name": "db", "namespace": "default"},
                          "spec": {"replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                                   "template": {"metadata": {"labels": {"app": "db"}},
                                                "spec": {"containers": [{"name": "db", "image": "nginx:1.25"}]}}}})
    settle(cluster, 120)
    # default updateStrategy carries rollingUpdate.partition 0: kubectl's partitioned wording
    assert k("rollout status statefulset/db") == ("partitioned roll out complete: 2 new pods have been updated...\n", 0)
    assert k("rollout restart sts/db") == ("statefulset.apps/db restarted\n", 0)
    assert k("rollout status pod/x") == ("error: no status viewer has been implemented for Pod\n", 1)


def test_logs(k, cluster):
    assert k("logs nope") == ('error: error from server (NotFound): pods "nope" not found in namespace "default"\n', 1)
    assert k("logs deploy/nope") == ('error: error from server (NotFound): deployments.apps "nope" not found in '
                                     'namespace "default"\n', 1)
    k("run web --image=nginx")
    out, code = k("logs web")
    assert code == 1 and out.startswith('Error from server (BadRequest): container "web" in pod "web" is waiting to start')
    settle(cluster, 30)
    out, code = k("logs web --tail=2")
    assert code == 0 and len(lines(out)) == 2
    assert k("logs web -c other")[0] == "Error from server (BadRequest): container other is not valid for pod web\n"


def test_exec_runs_in_the_containers_shell(k, cluster):
    assert k("exec web -- ls") == ('error: error from server (NotFound): pods "web" not found in namespace "default"\n', 1)
    k("run web --image=nginx:1.27")
    settle(cluster, 30)
    assert k("exec web -- ls /usr/share/nginx/html") == ("50x.html\nindex.html\n", 0)
    assert k("exec web -- sh -c 'echo out; echo err >&2; exit 3'") == ("out\nerr\ncommand terminated with exit code 3\n", 3)
    # no keyboard stream in the page's terminal: kubectl's own warning, then the command runs
    assert k("exec -it web -- hostname") == (
        "Unable to use a TTY - input is not a terminal or the right kind of file\nweb\n", 0)
    assert k("exec web")[0].startswith("error: you must specify at least one command for the container")
    out, code = k("exec web -- nosuch")
    assert code == 1 and out.endswith('exec: "nosuch": executable file not found in $PATH: unknown\n')


def test_describe_node_lists_its_pods(k, cluster):
    k("run web --image=nginx")
    settle(cluster, 30)
    node = cluster.store.get(kinds.POD, "default", "web")["spec"]["nodeName"]
    rows = lines(k(f"describe node {node}")[0])
    assert rows[0] == f"Name:               {node}"
    i = next(i for i, r in enumerate(rows) if r.startswith("Non-terminated Pods:"))
    assert rows[i].endswith("(1 in total)")
    assert re.fullmatch(r"  Namespace +Name +CPU Requests +CPU Limits +Memory Requests +Memory Limits +Age", rows[i + 1])
    assert re.match(r"  default +web +0 \(0%\) +0 \(0%\) +0 \(0%\) +0 \(0%\) +\d+s$", rows[i + 3])
    assert "Allocated resources:" in rows


# ---- side by side with the real kubectl ----------------------------------------------------------


def _post(server, path: str, body: dict) -> dict:
    return server.post_json(path, body, timeout=20)


def test_the_terminal_prints_what_kubectl_prints(kubeplay_server):
    """Same cluster, clock paused: every command below must print byte for byte what kubectl v1.32
    prints (commands whose texts changed after v1.32, or that compute ages on the client, are
    covered by the tests above instead)."""
    srv = kubeplay_server
    srv.kubectl("create", "deployment", "web", "--image=nginx:1.25", "--replicas=3", "--port=80")
    srv.kubectl("run", "bare", "--image=nginx", "--labels=app=bare,tier=fe")
    srv.kubectl("expose", "deployment", "web", "--port=80", "--target-port=80")
    srv.wait_until(lambda: srv.get_json("/apis/apps/v1/namespaces/default/deployments/web")
                   .get("status", {}).get("availableReplicas") == 3, message="web available")
    srv.kubectl("set", "image", "deployment/web", "nginx=nginx:1.26")
    def rolled_out():
        d = srv.get_json("/apis/apps/v1/namespaces/default/deployments/web")
        st = d.get("status", {})
        return (st.get("observedGeneration") == d["metadata"]["generation"] and st.get("updatedReplicas") == 3
                and st.get("replicas") == 3 and st.get("availableReplicas") == 3)
    srv.wait_until(rolled_out, timeout=60, message="web rolled out")
    _post(srv, "/kubeplay/v1/clock", {"paused": True})
    commands = [
        "get pods", "get pods -o wide", "get pods -A --show-labels", "get deploy,rs,svc -o wide", "get all",
        "get nodes", "get nodes -o wide", "get ns", "get pods -l tier=fe -o name", "get pod bare -o yaml",
        "get deploy web -o json", "get svc,endpoints", "get events", "describe svc web",
        "rollout history deployment/web", "rollout history deployment/web --revision=1",
        "api-resources", "get pod nope", "get pods nope bare",
        "describe pod nope", "get pizza", "scale deploy/web --replicas=3 --current-replicas=1",
        "set image deployment/web nope=x", "label pod bare tier=be", "get pods --bogus",
        "logs bare --tail=3", "expose deployment web --port=80",
        "top pod", "top pods -A --containers", "top pod --sort-by=cpu -l app=web", "top pod nope",
        "top node", "top nodes --sort-by=memory --no-headers",
    ]
    for command in commands:
        real = srv.kubectl(*command.split(), check=False)
        mine = _post(srv, "/kubeplay/v1/terminal", {"command": command})
        assert (mine["output"], mine["exitCode"]) == (real.stdout + real.stderr, real.returncode), command


def test_describe_secret_and_serviceaccount_have_kubectls_layout(k, cluster):
    cluster.store.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds", "namespace": "default"},
                          "stringData": {"username": "admin", "password": "s3cr3t!"}})
    cluster.store.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "bot", "namespace": "default"},
                          "imagePullSecrets": [{"name": "creds"}, {"name": "gone"}]})
    out, code = k("describe secret creds")
    assert code == 0
    assert out == ("Name:         creds\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\n\n"
                   "Type:  Opaque\n\nData\n====\npassword:  7 bytes\nusername:  5 bytes\n")
    out, code = k("describe serviceaccount bot")
    assert code == 0
    assert out == ("Name:                bot\nNamespace:           default\nLabels:              <none>\n"
                   "Annotations:         <none>\nImage pull secrets:  creds\n                     gone (not found)\n"
                   "Mountable secrets:   <none>\nTokens:              <none>\nEvents:              <none>\n")


def test_describe_pod_lists_environment_from_secrets_and_config_maps(k, cluster):
    cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "envy", "namespace": "default"},
                          "spec": {"containers": [{"name": "c", "image": "nginx", "envFrom": [
                              {"secretRef": {"name": "test-secret"}},
                              {"configMapRef": {"name": "settings", "optional": True}, "prefix": "CFG_"}]}]}})
    out, code = k("describe pod envy")
    assert code == 0
    rows = lines(out)
    at = rows.index("    Environment Variables from:")
    assert rows[at + 1:at + 4] == ["      test-secret  Secret" + " " * 24 + "Optional: false",
                                   "      settings     ConfigMap with prefix 'CFG_'  Optional: true",
                                   "    Environment:   <none>"]


def test_create_secret_serviceaccount_and_token(k, cluster):
    assert k("create secret generic creds --from-literal=user=admin --from-literal=pw=s3cr3t") == \
        ("secret/creds created\n", 0)
    assert cluster.store.get(kinds.SECRET, "default", "creds")["data"] == {"pw": "czNjcjN0", "user": "YWRtaW4="}
    out, code = k("get secret creds")
    assert code == 0 and lines(out)[1].split() == ["creds", "Opaque", "2", "0s"]
    assert k("create secret generic bad --from-literal=novalue") == \
        ("error: invalid literal source novalue, expected key=value\n", 1)
    assert k("create serviceaccount bot") == ("serviceaccount/bot created\n", 0)
    assert k("create sa bot2") == ("serviceaccount/bot2 created\n", 0)
    out, code = k("create token bot --duration=2h")
    assert code == 0 and out.count(".") == 2 and out.endswith("\n")
    assert k("create token nobody") == ('Error from server (NotFound): serviceaccounts "nobody" not found\n', 1)
