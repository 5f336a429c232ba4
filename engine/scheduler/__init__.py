"""The scheduler: cache.py (pod requests, node usage), plugins.py (filters, scores, FitError
text), scheduler.py (the default-scheduler controller: queueing, schedule_one, bind)."""
from .scheduler import Scheduler

__all__ = ["Scheduler"]
