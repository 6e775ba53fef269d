"""How runs get executed: a `RunEngine` takes recorded runs and drives them with `Brain.drive`.

The default is the lease worker (`worker.LeaseWorker`): any number of processes, on any machines
sharing the database, claim due runs with `FOR UPDATE SKIP LOCKED` and a lease on each.
"""

from runtime.engine.base import RunEngine
from runtime.engine.worker import LeaseWorker

__all__ = ["LeaseWorker", "RunEngine"]
