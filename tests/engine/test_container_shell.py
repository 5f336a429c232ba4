"""The shell inside every simulated container (engine/kubelet/shell): sh's grammar (quotes,
pipes, redirections, &&/||, variables, compound commands), the everyday utilities over a
per-container in-memory filesystem seeded from the image's data, the pod's environment
(env, envFrom, the downward API, Service links), volumes (ConfigMap files, emptyDir shared by
the pod's containers and surviving a restart), the kubelet-managed /etc files, the errors of
images without a shell and of containers not running, and the `-it` terminal."""
import io
import tarfile

import pytest

from engine import errors, resources as kinds
from engine.kubelet.shell import syntax
from engine.kubelet.shell.containers import PlainTextError
from pod_helpers import running


def pod(name, containers, **spec):
    spec["containers"] = containers
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default",
                                                            "labels": {"app": name}}, "spec": spec}


def run(cluster, pod_name, argv, container=None, stdin=None, tty=False):
    """(exit code, stdout, stderr) of an exec, as the web layer drives it."""
    proc = cluster.controller("kubelet").exec("default", pod_name, container, argv, tty=tty, stdin=stdin is not None)
    assert proc.failure is None, proc.failure
    if stdin is not None:
        proc.feed(stdin)
        proc.close_stdin()
    out, err = bytearray(), bytearray()
    code = proc.run(out.extend, err.extend)
    return code, out.decode(), err.decode()


def sh(cluster, pod_name, script, container=None, shell="sh"):
    return run(cluster, pod_name, [shell, "-c", script], container)


@pytest.fixture
def web(cluster):
    """nginx (Debian: dash as sh, bash) and a busybox sidecar sharing an emptyDir, with a ConfigMap."""
    cluster.store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"},
                          "data": {"app.conf": "mode=dev\n", "COLOR": "blue"}})
    cluster.store.create(pod("web", [
        {"name": "nginx", "image": "nginx:1.27",
         "env": [{"name": "GREETING", "value": "hello"}, {"name": "MSG", "value": "$(GREETING) world"},
                 {"name": "MY_POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                 {"name": "MY_APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
                 {"name": "MEM_MI", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}},
                 {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}}}],
         "envFrom": [{"configMapRef": {"name": "cfg"}, "prefix": "CFG_"}],
         "resources": {"limits": {"memory": "128Mi", "cpu": "500m"}},
         "volumeMounts": [{"name": "config", "mountPath": "/etc/app"}, {"name": "shared", "mountPath": "/shared"}]},
        {"name": "side", "image": "busybox:1.36", "command": ["sleep", "3600"],
         "volumeMounts": [{"name": "shared", "mountPath": "/data"}]}],
        volumes=[{"name": "config", "configMap": {"name": "cfg"}}, {"name": "shared", "emptyDir": {}}]))
    running(cluster, "web")
    return cluster


# ---- the grammar -----------------------------------------------------------------------------------

def test_parser_keeps_quotes_for_run_time_and_knows_incomplete_input():
    tree = syntax.parse("""X=1 echo "a b" 'c' > /tmp/o 2>&1 && ls | wc -l; false || true""")
    first = tree.items[0].first.cmds[0]
    assert first.assigns == ["X=1"] and first.words == ["echo", '"a b"', "'c'"]
    assert [(r.op, r.fd, r.target) for r in first.redirs] == [(">", 1, "/tmp/o"), (">&", 2, "1")]
    assert [op for op, _ in tree.items[0].rest] == ["&&"] and len(tree.items[0].rest[0][1].cmds) == 2
    for text in ('echo "open', "if true; then echo", "ls |", "for i in 1 2; do"):
        with pytest.raises(syntax.Incomplete):
            syntax.parse(text)
    for text, token in (("echo a; fi", "fi"), ("if then", "then"), ("while true; do done", "done")):
        with pytest.raises(syntax.ShellSyntaxError) as e:
            syntax.parse(text)
        assert e.value.token == token and not isinstance(e.value, syntax.Incomplete)


def test_quoting_variables_pipes_redirection_and_control_flow(web):
    code, out, err = sh(web, "web", r"""
        NAME=world; echo "hello $NAME" 'no $NAME' \$NAME ${NAME}s ${UNSET:-default}
        echo one > /tmp/f; echo two >> /tmp/f; cat < /tmp/f | wc -l
        ls /nope 2>&1 | grep -c 'No such file'
        false && echo never || echo "status $?"
        for i in 1 2 3; do echo "n$i"; done | grep -v 2 | tail -n 1
        if [ -f /tmp/f ]; then echo file; else echo nofile; fi
        X=$(cat /tmp/f | head -1); echo "sub=$X"
        cd /tmp && pwd && ls *.nothing f
        export SHOWN=yes; env | grep SHOWN
        echo $((1))x 2>/dev/null; true
        """)
    lines = out.splitlines()
    assert lines[:9] == ["hello world no $NAME $NAME worlds default", "2", "1", "status 1", "n3", "file", "sub=one",
                         "/tmp", "f"], out
    assert "SHOWN=yes" in lines
    assert "ls: cannot access '*.nothing': No such file or directory" in err
    assert code == 0


def test_syntax_errors_as_each_shell_words_them(web):
    assert sh(web, "web", "if then", container="side") == (2, "", 'sh: syntax error: unexpected "then"\n')
    assert sh(web, "web", "if then") == (2, "", 'sh: 1: Syntax error: "then" unexpected\n')
    assert sh(web, "web", "if then", shell="bash") == (
        2, "", "bash: -c: line 1: syntax error near unexpected token `then'\nbash: -c: line 1: `if then'\n")


def test_exit_codes_and_the_not_found_texts_of_each_shell(web):
    assert sh(web, "web", "exit 3") == (3, "", "")
    assert sh(web, "web", "nosuch") == (127, "", "sh: 1: nosuch: not found\n")         # Debian's sh is dash
    assert sh(web, "web", "nosuch; echo $?", shell="bash") == (0, "127\n", "bash: line 1: nosuch: command not found\n")
    assert sh(web, "web", "nosuch", container="side") == (127, "", "sh: nosuch: not found\n")   # busybox ash
    # nginx's image has no procps; busybox's ps lists PID 1 (the container's command) and itself
    assert sh(web, "web", "ps")[0] == 127
    code, out, _ = run(web, "web", ["ps"], container="side")
    assert out.splitlines()[:2] == ["PID   USER     TIME  COMMAND", "    1 root      0:00 sleep 3600"]


def test_the_image_files_and_the_kubelet_managed_files(web):
    code, out, _ = sh(web, "web", "ls /; head -1 /etc/os-release; grep -c nginx /usr/share/nginx/html/index.html; "
                                  "hostname; cat /etc/hostname /etc/resolv.conf; grep web /etc/hosts; id; whoami; uname; "
                                  "hostname -i")
    assert code == 0
    assert "docker-entrypoint.sh\netc\n" in out and "\nusr\nvar\n" in out
    assert 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"' in out
    ip = web.store.get(kinds.POD, "default", "web")["status"]["podIP"]
    assert ("web\nweb\nsearch default.svc.cluster.local svc.cluster.local cluster.local\n"
            "nameserver 10.96.0.10\noptions ndots:5\n" f"{ip}\tweb\n"
            "uid=0(root) gid=0(root) groups=0(root)\nroot\nLinux\n" f"{ip}\n") in out
    # busybox has no /etc/os-release, and says so as busybox does
    assert sh(web, "web", "cat /etc/os-release", container="side") == (
        1, "", "cat: can't open '/etc/os-release': No such file or directory\n")


def test_the_pods_environment(web):
    _, out, _ = run(web, "web", ["env"])
    env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    assert env["HOSTNAME"] == "web" and env["HOME"] == "/root" and env["PATH"].startswith("/usr/local/sbin")
    assert env["MSG"] == "hello world" and env["MY_POD"] == "web" and env["MY_APP"] == "web"
    assert env["MEM_MI"] == "128" and env["CPU"] == "500"
    assert env["CFG_COLOR"] == "blue" and env["CFG_app.conf"] == "mode=dev"     # a two-line value
    assert env["NGINX_VERSION"] == "1.27.3"
    assert env["KUBERNETES_SERVICE_HOST"] and env["KUBERNETES_SERVICE_PORT"] == "443"
    assert run(web, "web", ["printenv", "GREETING"]) == (0, "hello\n", "")


def test_configmap_files_and_an_emptydir_shared_between_containers(web):
    assert sh(web, "web", "ls /etc/app; cat /etc/app/app.conf") == (0, "COLOR\napp.conf\nmode=dev\n", "")
    code, _, err = sh(web, "web", "echo x > /etc/app/new")
    assert code == 1 and "Read-only file system" in err
    assert sh(web, "web", "echo from-nginx > /shared/note")[0] == 0
    assert sh(web, "web", "cat /data/note", container="side") == (0, "from-nginx\n", "")


def test_files_cp_mv_rm_mkdir(web):
    code, out, err = sh(web, "web", "mkdir -p /w/a/b && touch /w/a/b/f && cp -r /w/a /w/c && mv /w/c/b/f /w/g && "
                                    "rm -r /w/a && ls /w /w/c/b; rm /w/nope; mkdir /w")
    assert out == "/w:\nc\ng\n\n/w/c/b:\n"
    assert err == "rm: cannot remove '/w/nope': No such file or directory\nmkdir: cannot create directory '/w': File exists\n"
    assert code == 1


def test_tar_out_and_in_as_kubectl_cp_runs_it(web):
    sh(web, "web", "mkdir -p /srv/d && echo one > /srv/d/1.txt && echo two > /srv/d/2.txt")
    proc = web.controller("kubelet").exec("default", "web", None, ["tar", "cf", "-", "/srv/d"], tty=False, stdin=False)
    out, err = bytearray(), bytearray()
    assert proc.run(out.extend, err.extend) == 0
    assert err == b"tar: Removing leading `/' from member names\n"
    with tarfile.open(fileobj=io.BytesIO(bytes(out))) as tf:
        assert sorted(tf.getnames()) == ["srv/d", "srv/d/1.txt", "srv/d/2.txt"]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        info = tarfile.TarInfo("up/load.txt")
        info.size = 5
        tf.addfile(info, io.BytesIO(b"hello"))
    assert run(web, "web", ["tar", "-xmf", "-", "-C", "/tmp"], stdin=buf.getvalue()) == (0, "", "")
    assert sh(web, "web", "cat /tmp/up/load.txt") == (0, "hello", "")


def test_a_restarted_container_loses_its_files_but_not_its_emptydir(cluster):
    cluster.store.create(pod("flaky", [{"name": "c", "image": "busybox:1.36", "command": ["sh", "-c", "sleep 30; exit 1"],
                                        "volumeMounts": [{"name": "scratch", "mountPath": "/scratch"}]}],
                             volumes=[{"name": "scratch", "emptyDir": {}}]))
    running(cluster, "flaky")
    assert sh(cluster, "flaky", "echo a > /tmp/mine; echo b > /scratch/kept")[0] == 0
    assert sh(cluster, "flaky", "cat /tmp/mine") == (0, "a\n", "")
    for _ in range(120):
        cluster.advance(1)
        st = cluster.store.get(kinds.POD, "default", "flaky")["status"]["containerStatuses"][0]
        if st["restartCount"] >= 1 and "running" in st["state"]:
            break
    else:
        raise AssertionError("the container did not restart")
    assert sh(cluster, "flaky", "cat /tmp/mine") == (1, "", "cat: can't open '/tmp/mine': No such file or directory\n")
    assert sh(cluster, "flaky", "cat /scratch/kept") == (0, "b\n", "")


def test_a_new_pod_starts_from_the_image_again(web):
    sh(web, "web", "echo mine > /usr/share/nginx/html/index.html; echo s > /shared/s")
    web.store.delete(kinds.POD, "default", "web", grace_period_seconds=0)
    web.run_until_idle()
    web.store.create(pod("web", [{"name": "nginx", "image": "nginx:1.27",
                                  "volumeMounts": [{"name": "shared", "mountPath": "/shared"}]}],
                         volumes=[{"name": "shared", "emptyDir": {}}]))
    running(web, "web")
    code, out, _ = sh(web, "web", "grep -c 'Welcome to nginx' /usr/share/nginx/html/index.html; ls /shared")
    assert out == "2\n"          # the title and the heading of the image's own page; /shared is new


def test_images_without_a_shell_and_unknown_commands_fail_as_containerd_does(cluster):
    cluster.store.create(pod("p", [{"name": "pause", "image": "registry.k8s.io/pause:3.10"}]))
    running(cluster, "p")
    proc = cluster.controller("kubelet").exec("default", "p", None, ["sh"], tty=True, stdin=True)
    assert proc.failure.startswith("error executing command in container: failed to exec in container: failed to start exec")
    assert proc.failure.endswith('OCI runtime exec failed: exec failed: unable to start container process: '
                                 'exec: "sh": executable file not found in $PATH: unknown')


def test_exec_refusals_before_the_stream(cluster):
    kubelet = cluster.controller("kubelet")
    with pytest.raises(errors.NotFound, match='pods "ghost" not found'):
        kubelet.exec("default", "ghost", None, ["ls"])
    cluster.store.create(pod("slow", [{"name": "c", "image": "nginx:1.27"}]))
    cluster.run_until_idle()
    st = cluster.store.get(kinds.POD, "default", "slow").get("status") or {}
    with pytest.raises((PlainTextError, errors.BadRequest)) as e:
        kubelet.exec("default", "slow", None, ["ls"])
    assert e.value.message in ('container not found ("c")', "pod slow does not have a host assigned"), st
    running(cluster, "slow")
    with pytest.raises(errors.BadRequest, match="container nope is not valid for pod slow"):
        kubelet.exec("default", "slow", "nope", ["ls"])


def test_interactive_terminal_prompt_line_editing_ctrl_c_and_ctrl_d(web):
    kubelet = web.controller("kubelet")
    proc = kubelet.exec("default", "web", "side", ["sh"], tty=True, stdin=True)
    proc.feed(b"ech\x7fho hi\rcd /tmp\rsleep 1000\r")
    out = bytearray()
    import threading
    t = threading.Thread(target=lambda: out.extend(str(proc.run(out.extend, out.extend)).encode()), daemon=True)
    t.start()
    web_wait = __import__("time").monotonic() + 10
    while b"sleep 1000\r\n" not in out and __import__("time").monotonic() < web_wait:
        __import__("time").sleep(0.05)
    proc.feed(b"\x03")                       # interrupts the sleep
    proc.feed(b"\x04")                       # Ctrl-D at an empty line: exit
    t.join(10)
    assert not t.is_alive()
    assert bytes(out) == (b"/ # ech\x08 \x08ho hi\r\nhi\r\n/ # cd /tmp\r\n/tmp # sleep 1000\r\n^C\r\n/tmp # \r\n130")
    # bash's prompt names the user, the pod and the directory
    proc = kubelet.exec("default", "web", "nginx", ["bash"], tty=True, stdin=True)
    proc.feed(b"exit\r")
    out = bytearray()
    assert proc.run(out.extend, out.extend) == 0
    assert bytes(out) == b"root@web:/# exit\r\n"


def test_exec_sees_the_commands_files_and_an_exec_probe_sees_what_exec_did(cluster):
    cluster.store.create(pod("live", [{
        "name": "c", "image": "busybox:1.36", "command": ["sh", "-c", "touch /tmp/healthy; sleep 600"],
        "livenessProbe": {"exec": {"command": ["cat", "/tmp/healthy"]}, "periodSeconds": 5, "failureThreshold": 1}}]))
    running(cluster, "live")
    assert sh(cluster, "live", "ls /tmp") == (0, "healthy\n", "")
    assert sh(cluster, "live", "rm /tmp/healthy")[0] == 0
    for _ in range(30):
        cluster.advance(1)
        st = cluster.store.get(kinds.POD, "default", "live")["status"]["containerStatuses"][0]
        if st["restartCount"] >= 1 and "running" in st["state"]:
            break
    else:
        raise AssertionError("the liveness probe did not restart the container")
    assert st["lastState"]["terminated"]["exitCode"] == 137
    assert sh(cluster, "live", "ls /tmp") == (0, "healthy\n", "")     # a new instance: the command ran again


def test_kubectl_run_it_a_shell_with_stdin_open_waits_and_attach_talks_to_it(cluster):
    cluster.store.create(pod("dbg", [{"name": "dbg", "image": "busybox:1.36", "command": ["sh"],
                                      "stdin": True, "tty": True}], restartPolicy="Never"))
    running(cluster, "dbg")
    cluster.advance(30)
    assert "running" in cluster.store.get(kinds.POD, "default", "dbg")["status"]["containerStatuses"][0]["state"]
    proc = cluster.controller("kubelet").attach("default", "dbg", None, tty=True, stdin=True)
    proc.feed(b"echo $$ $HOSTNAME\rexit\r")
    out = bytearray()
    assert proc.run(out.extend, out.extend) == 0
    assert bytes(out) == b"/ # echo $$ $HOSTNAME\r\n1 dbg\r\n/ # exit\r\n"
    # without stdin held open, the same shell has nothing to read and exits at once
    cluster.store.create(pod("gone", [{"name": "c", "image": "busybox:1.36", "command": ["sh"]}], restartPolicy="Never"))
    cluster.advance(20)
    st = cluster.store.get(kinds.POD, "default", "gone")["status"]
    assert st["phase"] == "Succeeded"


def test_exiting_an_attached_main_shell_ends_its_container(cluster):
    cluster.store.create(pod("once", [{"name": "once", "image": "busybox:1.36", "command": ["sh"],
                                       "stdin": True, "tty": True}], restartPolicy="Never"))
    running(cluster, "once")
    proc = cluster.controller("kubelet").attach("default", "once", None, tty=True, stdin=True)
    proc.feed(b"exit 3\r")
    assert proc.run(bytearray().extend, bytearray().extend) == 3
    cluster.advance(2)
    st = cluster.store.get(kinds.POD, "default", "once")["status"]
    assert st["phase"] == "Failed" and st["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 3
    # under restartPolicy Always the shell starts again, and waits on its stdin again
    cluster.store.create(pod("again", [{"name": "again", "image": "busybox:1.36", "command": ["sh"],
                                        "stdin": True, "tty": True}]))
    running(cluster, "again")
    proc = cluster.controller("kubelet").attach("default", "again", None, tty=True, stdin=True)
    proc.feed(b"exit\r")
    proc.run(bytearray().extend, bytearray().extend)
    for _ in range(20):
        cluster.advance(1)
        cs = cluster.store.get(kinds.POD, "default", "again")["status"]["containerStatuses"][0]
        if cs["restartCount"] == 1 and "running" in cs["state"]:
            break
    cluster.advance(60)
    cs = cluster.store.get(kinds.POD, "default", "again")["status"]["containerStatuses"][0]
    assert cs["restartCount"] == 1 and "running" in cs["state"], cs


def test_an_exec_session_ends_with_137_when_its_container_stops(cluster):
    import threading
    cluster.store.create(pod("doomed", [{"name": "c", "image": "busybox:1.36", "command": ["sleep", "3600"]}],
                             terminationGracePeriodSeconds=5))
    running(cluster, "doomed")
    proc = cluster.controller("kubelet").exec("default", "doomed", None, ["sh", "-c", "echo started; sleep 1000"])
    out, codes = bytearray(), []
    t = threading.Thread(target=lambda: codes.append(proc.run(out.extend, out.extend)), daemon=True)
    t.start()
    for _ in range(200):                 # the session is running (its first line is out)
        if out:
            break
        t.join(0.05)
    cluster.store.delete(kinds.POD, "default", "doomed")
    cluster.advance(10)
    t.join(10)
    assert codes == [137] and out == b"started\n"


def test_exec_on_a_failed_node_cannot_reach_its_kubelet(web):
    node = web.store.get(kinds.POD, "default", "web")["spec"]["nodeName"]
    ip = web.store.get(kinds.POD, "default", "web")["status"]["hostIP"]
    web.fail_node(node)
    with pytest.raises(errors.ApiError) as e:
        web.controller("kubelet").exec("default", "web", None, ["ls"])
    assert (e.value.code, e.value.reason, e.value.message) == (
        500, "", f"error dialing backend: dial tcp {ip}:10250: i/o timeout")
    web.recover_node(node)
    assert sh(web, "web", "echo back") == (0, "back\n", "")


def test_the_terminal_recalls_earlier_lines_with_the_arrow_keys(web):
    proc = web.controller("kubelet").exec("default", "web", "side", ["sh"], tty=True, stdin=True)
    proc.feed(b"echo one\recho two\r\x1b[A\x1b[A\x1b[B\r\x04")
    out = bytearray()
    assert proc.run(out.extend, out.extend) == 0
    # Up, Up shows `echo one`, Down goes back to `echo two`, which Enter runs
    erase = b"\x08 \x08" * len("echo two")
    assert bytes(out).endswith(b"/ # echo two" + erase + b"echo one" + erase + b"echo two\r\ntwo\r\n/ # \r\n")


def test_commands_by_path_and_scripts_of_ones_own(web):
    assert run(web, "web", ["/bin/echo", "hi"]) == (0, "hi\n", "")
    assert sh(web, "web", "/bin/sh -c 'echo $0' me; /usr/bin/env | grep -c HOSTNAME") == (0, "me\n1\n", "")
    assert sh(web, "web", "printf 'echo from script $1\\nexit 7\\n' > /tmp/s.sh; /tmp/s.sh arg; echo $?") == (
        0, "from script arg\n7\n", "")
    assert sh(web, "web", "/nope/x")[::2] == (127, "sh: 1: /nope/x: not found\n")


def test_find_cut_tr_uniq(web):
    code, out, err = sh(web, "web", "find /usr/share/nginx -name '*.html'; find /etc/app -type f | sort; "
                                    "cut -d: -f1,7 /etc/passwd | head -2; echo Hello | tr a-z A-Z; "
                                    "printf 'a\\na\\nb\\n' | uniq -c; kill 99")
    assert out == ("/usr/share/nginx/html/50x.html\n/usr/share/nginx/html/index.html\n"
                   "/etc/app/COLOR\n/etc/app/app.conf\nroot:/bin/bash\ndaemon:/usr/sbin/nologin\nHELLO\n"
                   "      2 a\n      1 b\n")
    assert (code, err) == (1, "sh: 1: kill: No such process\n")
