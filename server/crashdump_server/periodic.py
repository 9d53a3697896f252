"""Periodic work in a thread of its own, with futurist's periodics.

As Ironic's conductor runs its periodic tasks: each task is a function
decorated with ``futurist.periodics.periodic(spacing)``, and one
``PeriodicWorker`` per service runs them, one after another, in a daemon
thread.
"""
import threading

from futurist import periodics


def _periodic(spacing, function):
    # futurist marks the function itself; a bound method takes no marks.
    @periodics.periodic(spacing)
    def task():
        return function()
    task.__name__ = getattr(function, '__name__', task.__name__)
    return task


class Periodics:
    """start() the worker for ``tasks``, (spacing in seconds, callable)
    pairs; stop() waits for the task that runs to finish."""

    def __init__(self, name, tasks):
        self._worker = periodics.PeriodicWorker(
            [(_periodic(spacing, function), None, None)
             for spacing, function in tasks])
        self._thread = threading.Thread(target=self._worker.start,
                                        name=name, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self, timeout=None):
        self._worker.stop()
        self._worker.wait(timeout)
