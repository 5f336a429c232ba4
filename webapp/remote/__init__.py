"""kubeplay in front of a real cluster (`kubeplay serve --kubeconfig FILE`): the same page, drawing
a cluster reached through its API with the official `kubernetes` Python client.

- `connection.py`: the kubeconfig (client certificates, bearer tokens, exec credential plugins,
  proxies: the client's own loader) and the raw requests made with it; credentials stay here.
- `mirror.py`: list+watch of the kinds the page draws, kept as a small watch cache with a local
  resourceVersion, so the page's stream (webapp/page/stream.py) reads it as it reads the engine.
- `inferred.py`: the reconcile log told from watched state, every line marked inferred.
- `actions.py`: the page's actions as requests to the real API (apply, delete, kill, scale,
  rollout restart/undo, cordon, drain by eviction, logs); `--read-only` refuses them all.
- `app.py`: the Flask app that wires these to the page.
"""
