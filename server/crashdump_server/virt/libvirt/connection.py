"""One libvirt connection that outlives libvirtd restarts.

libvirt delivers domain lifecycle events, keepalive probes and the
connection's close notice only while something runs its event loop, so a
daemon thread runs libvirt's default implementation for the whole process.

When the daemon goes away (the close callback fires, or a call fails with
an RPC-level error) the connection is dropped; a reconnect thread then tries
again every ``reconnect_interval`` seconds, and every caller of :meth:`get`
tries once itself, so a daemon that is back is used at once and one that
is still away is reported at once, never waited for.
"""
import threading

from oslo_log import log as logging

from crashdump_server import exception

try:
    import libvirt
except ImportError:  # reported by the driver, with what to install
    libvirt = None

LOG = logging.getLogger(__name__)

_EVENT_LOOP_LOCK = threading.Lock()
_EVENT_LOOP_THREAD = None


def start_event_loop():
    """Register and run libvirt's default event loop once per process.

    It must be registered before the first connection is opened: a
    connection opened earlier gets no events and no keepalive.
    """
    global _EVENT_LOOP_THREAD
    with _EVENT_LOOP_LOCK:
        if _EVENT_LOOP_THREAD is not None:
            return
        # libvirt prints every error to stderr unless a handler is set;
        # errors reach us as exceptions anyway.
        libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
        libvirt.virEventRegisterDefaultImpl()
        _EVENT_LOOP_THREAD = threading.Thread(
            target=_run_event_loop, name='libvirt-event-loop', daemon=True)
        _EVENT_LOOP_THREAD.start()


def _run_event_loop():
    while True:
        libvirt.virEventRunDefaultImpl()


def is_disconnect(error):
    """True when a libvirtError says the daemon, not the call, failed."""
    code = error.get_error_code()
    if code in (libvirt.VIR_ERR_NO_CONNECT, libvirt.VIR_ERR_INVALID_CONN):
        return True
    return (code in (libvirt.VIR_ERR_SYSTEM_ERROR,
                     libvirt.VIR_ERR_INTERNAL_ERROR, libvirt.VIR_ERR_RPC)
            and error.get_error_domain() in (libvirt.VIR_FROM_REMOTE,
                                             libvirt.VIR_FROM_RPC))


class Connection:
    """A read-write connection to ``uri``; ``on_change()`` is called for
    every domain lifecycle or metadata event and after every (re)connect.

    No lock is held across a libvirt call, and the callbacks libvirt runs
    in its event loop take none: a call that waits on the daemon can then
    never stall the event loop, nor a caller wait behind another's call.
    """

    def __init__(self, uri, on_change, reconnect_interval=2.0,
                 keepalive_interval=5, keepalive_count=3):
        self.uri = uri
        self.on_change = on_change
        self.reconnect_interval = reconnect_interval
        self.keepalive_interval = keepalive_interval
        self.keepalive_count = keepalive_count
        self._conn = None
        self._callback_ids = {}  # connection -> its event callback ids
        # Held only while opening: one opener at a time, never waited for.
        self._connecting = threading.Lock()
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._thread = None
        self._last_error = 'not connected yet'
        # Connections that died, released by the reconnect thread.
        self._dead = []

    def start(self):
        """Connect if the daemon answers, and keep reconnecting after."""
        start_event_loop()
        self._try_connect(blocking=True)
        self._thread = threading.Thread(target=self._reconnect_loop,
                                        name='libvirt-reconnect',
                                        daemon=True)
        self._thread.start()

    def stop(self):
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._lost(None, quiet=True)
        self._release_dead()

    def get(self):
        """The live virConnect; raises DriverUnavailable when there is none.

        When there is none, one connection attempt is made on the spot
        (unless the reconnect thread is making one), so this never waits
        for a daemon that is gone.
        """
        conn = self._conn
        if conn is not None and not self._alive(conn):
            self._lost(conn, 'the connection is no longer alive')
            conn = None
        if conn is None:
            conn = self._try_connect(blocking=False)
        if conn is None:
            raise exception.DriverUnavailable(
                driver='libvirt',
                reason='cannot reach libvirtd at %s (%s); check that the '
                       'daemon runs' % (self.uri, self._last_error))
        return conn

    def lost(self, error):
        """Tell the connection a call failed; True when it was a disconnect.

        The caller then raises DriverUnavailable instead of the call's error.
        """
        if libvirt is None or not isinstance(error, libvirt.libvirtError):
            return False
        if not is_disconnect(error):
            return False
        self._lost(self._conn, str(error))
        return True

    @staticmethod
    def _alive(conn):
        try:
            return conn.isAlive() == 1
        except libvirt.libvirtError:
            return False

    def _try_connect(self, blocking):
        if not self._connecting.acquire(blocking):
            self._last_error = 'reconnecting'
            return None
        try:
            if self._conn is not None:
                return self._conn
            try:
                conn = libvirt.open(self.uri)
            except libvirt.libvirtError as exc:
                self._last_error = str(exc)
                return None
            self._setup(conn)
            self._conn = conn
        finally:
            self._connecting.release()
        LOG.info('Connected to libvirt at %s', self.uri)
        self._notify()
        return conn

    def _setup(self, conn):
        # Drivers without a daemon (test:///default) lack keepalive and the
        # close callback; they cannot lose their connection either.
        try:
            conn.setKeepAlive(self.keepalive_interval, self.keepalive_count)
        except libvirt.libvirtError:
            pass
        try:
            conn.registerCloseCallback(self._closed, None)
        except libvirt.libvirtError:
            pass
        ids = self._callback_ids.setdefault(conn, [])
        try:
            ids.append(conn.domainEventRegisterAny(
                None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                self._lifecycle, None))
        except libvirt.libvirtError as exc:
            LOG.warning('libvirt at %s sends no lifecycle events (%s); '
                        'servers change only at each periodic sync',
                        self.uri, exc)
        # Owner and lock live in the domain's metadata; a change there
        # changes the server too.
        try:
            ids.append(conn.domainEventRegisterAny(
                None, libvirt.VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
                self._metadata_changed, None))
        except libvirt.libvirtError:
            pass

    def _closed(self, conn, reason, _opaque):
        # Runs in the event loop: no libvirt calls, no locks.
        self._lost(conn, 'libvirtd closed the connection (reason %s)'
                   % reason)

    def _lost(self, conn, why=None, quiet=False):
        """Forget ``conn`` if it is the current connection (None: any)."""
        current = self._conn
        if current is None or (conn is not None and conn is not current):
            return
        self._conn = None
        self._dead.append(current)
        self._last_error = why or self._last_error
        if not quiet:
            LOG.warning('Lost the libvirt connection to %s: %s; '
                        'reconnecting every %s s', self.uri, why,
                        self.reconnect_interval)
        self._wake.set()

    def _release_dead(self):
        while self._dead:
            self._release(self._dead.pop())

    def _release(self, conn):
        for callback_id in self._callback_ids.pop(conn, []):
            try:
                conn.domainEventDeregisterAny(callback_id)
            except libvirt.libvirtError:
                pass
        try:
            conn.unregisterCloseCallback()
        except libvirt.libvirtError:
            pass
        try:
            conn.close()
        except libvirt.libvirtError:
            pass

    def _lifecycle(self, _conn, dom, event, detail, _opaque):
        LOG.debug('libvirt lifecycle event %s/%s for domain %s', event,
                  detail, dom.UUIDString())
        self._notify()

    def _metadata_changed(self, _conn, dom, mtype, nsuri, _opaque):
        LOG.debug('libvirt metadata %s (%s) changed for domain %s', mtype,
                  nsuri, dom.UUIDString())
        self._notify()

    def _notify(self):
        if self.on_change is not None:
            try:
                self.on_change()
            except Exception:
                LOG.exception('Inventory change callback failed')

    def _reconnect_loop(self):
        while not self._stopping.is_set():
            self._wake.wait(self.reconnect_interval)
            self._wake.clear()
            if self._stopping.is_set():
                return
            self._release_dead()
            conn = self._conn
            if conn is not None and not self._alive(conn):
                self._lost(conn, 'keepalive failed')
                conn = None
            if conn is None:
                self._try_connect(blocking=True)
