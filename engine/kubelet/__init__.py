"""The simulated kubelets: images.py (which images pull), programs.py (what a container does,
its logs), stages.py (the container lifecycle table), pods.py (a pod's runs and PodStatus),
node.py (Node and Lease objects), kubelet.py (the Kubelets controller)."""
from .kubelet import Kubelets

__all__ = ["Kubelets"]
