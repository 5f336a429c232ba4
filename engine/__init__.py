"""kubeplay's simulated cluster: pure Python, no web imports."""
