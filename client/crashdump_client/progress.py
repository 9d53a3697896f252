"""A one-line progress display for commands that work on many servers.

It is drawn on a terminal only: when the stream is a pipe or a file the
display writes nothing, so scripts and logs read exactly what the command
prints on stdout and nothing more.
"""

import sys
import threading
import time

#: Redraws at most this often, so hundreds of servers do not flood a slow
#: terminal with escape sequences.
_REDRAW_SECONDS = 0.1


class Progress(object):
    """Counts finished items of a phase and redraws one line on a terminal.

    Safe to call from several threads. Use as a context manager around the
    whole run, so the line is erased before the results are printed.
    """

    def __init__(self, stream=None, enabled=None):
        """:param stream: where to draw, ``sys.stderr`` by default.
        :param enabled: force the display on or off; by default it is on
            only when ``stream`` is a terminal.
        """
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self._lock = threading.Lock()
        self._label = ""
        self._total = 0
        self._done = 0
        self._failed = 0
        self._drawn_at = 0.0
        self._drawn = False

    def start(self, label, total):
        """Begin a phase (e.g. "Triggering") of ``total`` items."""
        with self._lock:
            self._label, self._total = label, total
            self._done = self._failed = 0
            self._draw(force=True)

    def advance(self, failed=False):
        """Count one finished item of the current phase."""
        with self._lock:
            self._done += 1
            self._failed += 1 if failed else 0
            self._draw(force=self._done == self._total)

    def clear(self):
        """Erase the line, if one was drawn."""
        with self._lock:
            if self._drawn:
                self.stream.write("\r\033[K")
                self.stream.flush()
                self._drawn = False

    def _draw(self, force):
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._drawn_at < _REDRAW_SECONDS:
            return
        text = "%s: %d/%d servers" % (self._label, self._done, self._total)
        if self._failed:
            text += ", %d failed" % self._failed
        self.stream.write("\r\033[K" + text)
        self.stream.flush()
        self._drawn_at = now
        self._drawn = True

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.clear()
