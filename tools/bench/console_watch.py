"""The moment a line appears in a guest's console log file.

QEMU appends the guest's serial output to a file; a :class:`ConsoleWatch`
thread wakes on every write (Linux inotify through ctypes, no extra
package) and notes the wall-clock time at which the wanted text is first
complete in the file. Where inotify is unavailable it polls the file's
size every millisecond instead.
"""
import ctypes
import ctypes.util
import os
import select
import threading
import time

_IN_MODIFY = 0x00000002
_IN_NONBLOCK = 0o4000
_IN_CLOEXEC = 0o2000000
_POLL_SECONDS = 0.001


def _inotify_fd(path):
    """An inotify descriptor watching ``path`` for writes, or None."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library('c') or None,
                           use_errno=True)
        fd = libc.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC)
    except (OSError, AttributeError):
        return None
    if fd < 0:
        return None
    if libc.inotify_add_watch(fd, os.fsencode(path), _IN_MODIFY) < 0:
        os.close(fd)
        return None
    return fd


class ConsoleWatch(threading.Thread):
    """Watch ``path`` (which must exist) until ``text`` appears in it.

    ``found_at`` is the ``time.time()`` when it was first seen, or None;
    ``method`` is "inotify" or "polling". Call :meth:`stop` when done.
    """

    def __init__(self, path, text):
        super().__init__(daemon=True)
        self.path = path
        self.text = text.encode()
        self.found_at = None
        self._stopped = threading.Event()
        self._fd = _inotify_fd(path)
        self.method = 'polling' if self._fd is None else 'inotify'
        # Opened now: what the guest writes from here on is what we read.
        self._log = open(path, 'rb')
        self._seen = b''

    def _read_more(self):
        data = self._log.read()
        if data:
            # Keep only what the text could still straddle.
            self._seen = (self._seen + data)[-(len(self.text) + len(data)):]
            if self.text in self._seen:
                self.found_at = time.time()

    def run(self):
        try:
            self._read_more()
            while self.found_at is None and not self._stopped.is_set():
                if self._fd is not None:
                    ready, _, _ = select.select([self._fd], [], [], 0.1)
                    if ready:
                        try:
                            os.read(self._fd, 65536)  # drain the events
                        except BlockingIOError:
                            pass
                else:
                    time.sleep(_POLL_SECONDS)
                self._read_more()
        finally:
            self._log.close()
            if self._fd is not None:
                os.close(self._fd)

    def wait(self, timeout):
        """Wait up to ``timeout`` s; returns ``found_at`` (None if not)."""
        self.join(timeout)
        return self.found_at

    def stop(self):
        self._stopped.set()
        self.join(5)
