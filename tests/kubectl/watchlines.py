"""A background `kubectl get -w` (from KubeplayServer.kubectl_popen) read line by line as it runs."""
from __future__ import annotations

import threading


class WatchLines:
    """stdout lines as they arrive; stderr too (with -v=6 it says when the watch request was
    answered). Both pipes are drained, so kubectl never blocks on a full one."""

    def __init__(self, proc):
        self.proc, self.lines, self.err = proc, [], []
        self.threads = [threading.Thread(target=self._read, args=(proc.stdout, self.lines), daemon=True),
                        threading.Thread(target=self._read, args=(proc.stderr, self.err), daemon=True)]
        for t in self.threads:
            t.start()

    @staticmethod
    def _read(stream, into):
        for line in stream:
            into.append(line.rstrip("\n"))

    def watching(self) -> bool:
        """With -v=6: the watch request has been answered (1.32 logs `GET <url> 200 OK in N
        milliseconds`, 1.37 `"Response" verb="GET" url="<url>" status="200 OK"`)."""
        return any("watch=true" in ln and ("200 OK" in ln) for ln in self.err)

    def rows(self) -> list[list[str]]:
        """With --output-watch-events: the event rows, split into cells."""
        return [ln.split() for ln in list(self.lines) if ln.split()[:1] in (["ADDED"], ["MODIFIED"], ["DELETED"])]

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        for t in self.threads:
            t.join(10)
        return "\n".join(self.lines)
