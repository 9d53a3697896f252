"""Log lines written by one thread, in batches, whatever thread logs them.

oslo.log gives the root logger its handlers (the log file, stderr,
syslog...). Each of them formats and writes a record under its own lock,
with a ``stat`` of the file and a flush per line. Under load the API's
worker threads queue up on that lock and its system calls, handing the
interpreter lock back and forth to do it: ``tools/bench`` measured the one
line per request costing 0.2-0.6 ms of server CPU at concurrency 16 this
way, against 0.04 ms for the same line from a single thread.

:func:`hand_off` puts a queue in front of those handlers. A thread that
logs only appends the record; one writer thread, woken by the first
record of a batch, waits :data:`BATCH_SECONDS` and then writes every
queued record, in order, through the same handlers. A record carries the
request context of the thread that logged it (the formatter would
otherwise look for it in the writer thread). Records are written within
:data:`BATCH_SECONDS`; :func:`flush` writes them at once (at exit, and
before a refused start ends the process).
"""
import atexit
import collections
import logging
import os
import sys
import threading
import time
import traceback

from oslo_context import context as oslo_context

#: How long the writer lets records gather after the first of a batch.
BATCH_SECONDS = 0.02


class _Writer:
    """The queue and the thread that writes it through ``handlers``."""

    def __init__(self, handlers):
        self.handlers = handlers
        self.records = collections.deque()
        # Never held in the process that owns the writer: safe in a child.
        self._adopting = threading.Lock()

    def start(self):
        """Start the writer thread of this process; its event and lock are
        new, as a forked child needs (the parent's may be held)."""
        self._pending = threading.Event()
        self._writing = threading.Lock()
        self._stopping = False
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='crashdump-log-writer')
        self._thread.start()

    def adopt(self):
        """In a forked child (whatever forked it: uWSGI forks without
        Python's fork hooks): drop the records the parent queued (the
        parent writes them) and start this process's own writer."""
        with self._adopting:
            if self._pid != os.getpid() and not self._stopping:
                self.records.clear()
                self.start()

    def put(self, record):
        if self._pid != os.getpid():
            self.adopt()
        self.records.append(record)
        if not self._pending.is_set():
            self._pending.set()

    def _run(self):
        while not self._stopping:
            self._pending.wait()
            if not self._stopping:
                time.sleep(BATCH_SECONDS)
            # Records appended from here on set the event again.
            self._pending.clear()
            try:
                self.write_queued()
            except Exception:
                # A handler that raises past its own handleError: report
                # it and keep writing the lines that follow.
                traceback.print_exc(file=sys.stderr)

    def write_queued(self):
        """Write every queued record through the handlers, in order."""
        with self._writing:
            while self.records:
                record = self.records.popleft()
                for handler in self.handlers:
                    if record.levelno >= handler.level:
                        handler.handle(record)

    def stop(self):
        """Write what is queued and end the thread."""
        self._stopping = True
        self._pending.set()
        if self._thread is not None and self._thread is not (
                threading.current_thread()):
            self._thread.join()
        self.write_queued()


class _QueueHandler(logging.Handler):
    """Hand the record, with the logging thread's context, to the writer."""

    def __init__(self, writer):
        super().__init__()
        self.writer = writer

    def emit(self, record):
        try:
            # The message as it is now: the arguments may change, or not
            # be safe to read from another thread, later.
            record.msg = record.getMessage()
            record.args = None
        except Exception:
            self.handleError(record)
            return
        # oslo.log's formatter takes record.context before the thread's.
        if 'context' not in record.__dict__:
            record.context = oslo_context.get_current()
        self.writer.put(record)

    def handle(self, record):
        # No handler lock: the writer's queue is safe to append to.
        if self.filter(record):
            self.emit(record)
        return record


_lock = threading.Lock()
# logger name -> its writer (the root logger's, in a service).
_writers = {}


def hand_off(logger=None):
    """Move ``logger``'s handlers (the root logger's by default) behind a
    writer; again after each oslo.log setup, which replaces them."""
    logger = logger or logging.getLogger()
    with _lock:
        handlers = [handler for handler in logger.handlers
                    if not isinstance(handler, _QueueHandler)]
        if not handlers:
            return
        previous = _writers.pop(logger.name, None)
        if previous is not None:
            previous.stop()
        writer = _writers[logger.name] = _Writer(handlers)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.addHandler(_QueueHandler(writer))
        writer.start()


def flush():
    """Write every queued record now."""
    for writer in list(_writers.values()):
        writer.write_queued()


def _after_fork():
    # A forked child has the queues but not the writer threads.
    global _lock
    _lock = threading.Lock()
    for writer in _writers.values():
        writer.adopt()


atexit.register(flush)
os.register_at_fork(after_in_child=_after_fork)
