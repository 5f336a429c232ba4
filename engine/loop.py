"""What every loop of the engine shares: the `Controller` base class (a named reconcile loop fed by
watch events through a workqueue), the `Context` it is handed and the `Timings` it runs by.

The controllers (engine/controllers), the scheduler (engine/scheduler) and the kubelets
(engine/kubelet) are all such loops and must not import each other (tests/test_architecture.py):
the scheduler and the kubelets take the contract from here. For now it is defined in
engine/controllers/base.py, where the controller contract is being reworked (issue 10 item 1);
once that lands its definition belongs here and base.py keeps the controller-only parts."""
from .controllers.base import Context, Controller, Timings

__all__ = ["Controller", "Context", "Timings"]
