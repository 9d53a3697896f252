"""A one-line percentage bar for one long task (a dump, a download).

Drawn on a terminal only, as :mod:`crashdump_client.progress` is: when
the stream is a pipe or a file it writes nothing.
"""

import sys
import time

_REDRAW_SECONDS = 0.2
_WIDTH = 30


class PercentBar(object):
    """``with PercentBar("Dumping") as bar: bar.update(42)``."""

    def __init__(self, label, stream=None, enabled=None):
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self._drawn_at = 0.0
        self._drawn = False

    def update(self, percent, note=""):
        """Redraw at ``percent`` (0-100), with ``note`` after the bar."""
        if not self.enabled:
            return
        now = time.monotonic()
        if percent < 100 and now - self._drawn_at < _REDRAW_SECONDS:
            return
        percent = max(0, min(100, int(percent)))
        filled = _WIDTH * percent // 100
        self.stream.write("\r\033[K%s [%s%s] %3d%% %s" % (
            self.label, "#" * filled, " " * (_WIDTH - filled), percent,
            note))
        self.stream.flush()
        self._drawn_at = now
        self._drawn = True

    def update_bytes(self, done, total):
        """Redraw for ``done`` of ``total`` bytes."""
        self.update(100 * done / total if total else 0,
                    "%.1f/%.1f MiB" % (done / 2.0 ** 20, total / 2.0 ** 20))

    def clear(self):
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._drawn = False

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.clear()
