"""The playground page and everything only it uses: the page itself (pages.py), its WebSocket
stream of watch events (stream.py), its controls that are not part of the Kubernetes API
(playground.py: clock, timings, node health, drain, health checks), the editor's apply and delete
(editor.py) and its terminal (terminal.py); the last two run webapp/kubectl in-process."""
