"""The Ironic driver: an NMI for a bare-metal server goes through Ironic.

crashdump agent -> python-ironicclient -> Ironic API
``PUT /v1/nodes/{node}/management/inject_nmi`` -> the node's management
interface (``ipmitool chassis power diag`` for ``ipmi``, a Redfish
``ComputerSystem.Reset`` with ``ResetType: Nmi`` for ``redfish``) -> BMC.

Ironic answers 204 once the BMC took the command. Every other answer
becomes an exception whose message the user reads in the event: 400 (the
management interface has no NMI) is "not supported", 404 means the node no
longer carries the instance, 409 (node locked) and 503 are retried up to
``[ironic] max_retries`` times, 5xx carries Ironic's reason. The whole call
has a deadline, ``[ironic] trigger_timeout``.
"""
import threading
import time

from ironicclient.common.apiclient import exceptions as http_exc
from ironicclient import exc as ironic_exc
from keystoneauth1 import exceptions as ks_exc
from oslo_log import log as logging
from oslo_utils import timeutils

from crashdump_server import exception
from crashdump_server.virt import driver
from crashdump_server.virt.ironic import client as ironic_client
from crashdump_server.virt.ironic import errors
from crashdump_server.virt.ironic import inventory

LOG = logging.getLogger(__name__)

# Answers worth another try: someone else holds the node's lock, Ironic is
# briefly overloaded, or it cannot be reached right now.
_RETRIED = (http_exc.Conflict, http_exc.ServiceUnavailable,
            ks_exc.ConnectionError)


class IronicDriver(driver.ComputeDriver):
    """Nodes with an instance uuid are servers; NMIs via Ironic."""

    def __init__(self, conf):
        super().__init__(conf)
        self._host = conf.host
        self._client = None
        self._client_lock = threading.Lock()
        self._first_seen = {}

    def init_host(self, host):
        # Ironic is contacted on the first sync, which the agent survives
        # failing: a crash dump meanwhile gets a clear Error event.
        self._host = host

    def _get_client(self):
        """The shared client, made on first use; raises DriverUnavailable
        while Ironic (or Keystone) cannot be reached."""
        with self._client_lock:
            if self._client is None:
                try:
                    self._client = ironic_client.make_client(self.conf)
                except ironic_exc.UnsupportedVersion as exc:
                    raise errors.NMINotSupported(
                        reason='Ironic does not offer API version %s or '
                               'later: %s' % (ironic_client.API_VERSIONS[0],
                                              exc))
                except (ks_exc.ClientException,
                        http_exc.ClientException) as exc:
                    raise exception.DriverUnavailable(driver='Ironic',
                                                      reason=exc)
            return self._client

    def list_instances(self):
        """Every node with an instance, as Instance column dicts.

        Raises DriverUnavailable, or what the client raises mid-listing.
        """
        client = self._get_client()
        fields = inventory.node_fields(ironic_client.api_version(client))
        options = self.conf.ironic
        now = timeutils.utcnow()
        seen = {}
        records = []
        for node in inventory.associated_nodes(client, fields,
                                               options.page_size):
            seen[node.uuid] = self._first_seen.get(node.uuid, now)
            records.append(inventory.server_record(
                node, self._host, options.default_project_id,
                seen[node.uuid]))
        self._first_seen = seen
        return records

    def trigger_crash_dump(self, instance):
        """Ask Ironic to inject an NMI into the node of ``instance``.

        Returns once Ironic answered 204. Raises NMINotSupported,
        InstanceNotFound, NodeLocked, NMIFailed, DriverUnavailable or
        DeadlineExceeded (see the module docstring).
        """
        options = self.conf.ironic
        call = _NMICall(self, instance, options.trigger_timeout)
        worker = threading.Thread(target=call.run, daemon=True,
                                  name='ironic-nmi-%s' % instance.uuid)
        worker.start()
        # The worker's own retries stop at the deadline; the join is the
        # backstop for a request Ironic never answers.
        worker.join(options.trigger_timeout)
        if worker.is_alive():
            raise errors.DeadlineExceeded(node=call.node,
                                          seconds=options.trigger_timeout,
                                          reason=call.last_answer)
        if call.error is not None:
            raise call.error

    def dump_memory(self, instance, path, dump_format, progress=None,
                    abort=None):
        """Always raises MemoryDumpNotSupported: a BMC reads no memory."""
        raise exception.MemoryDumpNotSupported(
            reason='not supported for bare metal: BMCs offer no memory '
                   'dump over IPMI or Redfish. Configure kdump in the '
                   'guest and trigger a crash dump (NMI) instead.')


class _NMICall:
    """One crash dump, run in a worker thread; ``error`` is its outcome."""

    def __init__(self, driver, instance, timeout):
        self.driver = driver
        self.instance = instance
        self.node = ((instance.driver_info or {}).get('node_uuid')
                     or 'of instance %s' % instance.uuid)
        self.deadline = time.monotonic() + timeout
        self.error = None
        self.last_answer = 'no answer yet'

    def run(self):
        try:
            client = self.driver._get_client()
            node = self._request(client.node.get_by_instance_uuid,
                                 self.instance.uuid, fields=['uuid'])
            self.node = node.uuid
            self._request(client.node.inject_nmi, node.uuid)
            LOG.info('Ironic injected an NMI into node %(node)s of server '
                     '%(uuid)s', {'node': node.uuid,
                                  'uuid': self.instance.uuid})
        except exception.CrashdumpException as exc:
            self.error = exc
        except Exception as exc:  # noqa: B902 (reported through the event)
            LOG.exception('Unexpected failure of the NMI for server %s',
                          self.instance.uuid)
            self.error = errors.NMIFailed(node=self.node, status='-',
                                          reason=exc)

    def _request(self, method, *args, **kwargs):
        """``method``'s result, retrying lock conflicts; raises the
        crashdump exception that Ironic's last answer maps to."""
        # Hand-written rather than keystoneauth1's status_code_retries /
        # retriable_status_codes: those retry without regard to this
        # request's deadline ([ironic] trigger_timeout), read a delay of 0
        # as exponential backoff, and keep the attempts and Ironic's last
        # answer from the event's message. ironicclient's own retries are
        # off (see client.py).
        options = self.driver.conf.ironic
        started = time.monotonic()
        attempts = 0
        while True:
            attempts += 1
            try:
                return method(*args, **kwargs)
            except _RETRIED as exc:
                self.last_answer = _reason(exc)
                out_of_time = (time.monotonic() + options.retry_interval
                               >= self.deadline)
                if attempts > options.max_retries or out_of_time:
                    raise self._final(exc, attempts,
                                      time.monotonic() - started)
                LOG.debug('Ironic answered %(answer)s for node %(node)s; '
                          'retry %(n)d of %(max)d',
                          {'answer': self.last_answer, 'node': self.node,
                           'n': attempts, 'max': options.max_retries})
                time.sleep(options.retry_interval)
            except (http_exc.HttpError, ironic_exc.UnsupportedVersion,
                    ks_exc.ClientException) as exc:
                self.last_answer = _reason(exc)
                raise self._final(exc, attempts, time.monotonic() - started)

    def _final(self, exc, attempts, seconds):
        reason = _reason(exc)
        if isinstance(exc, http_exc.Conflict):
            return errors.NodeLocked(node=self.node, attempts=attempts,
                                     seconds=seconds, reason=reason)
        if isinstance(exc, http_exc.BadRequest):
            return errors.NMINotSupported(reason=reason)
        if isinstance(exc, ironic_exc.UnsupportedVersion):
            return errors.NMINotSupported(
                reason='Ironic does not offer API version %s: %s'
                % (ironic_client.API_VERSIONS[0], reason))
        if isinstance(exc, http_exc.NotFound):
            return exception.InstanceNotFound(instance_id=self.instance.uuid)
        if isinstance(exc, http_exc.HttpError):
            return errors.NMIFailed(node=self.node, status=exc.http_status,
                                    reason=reason)
        return exception.DriverUnavailable(driver='Ironic', reason=reason)


def _reason(exc):
    """Ironic's own words for an error, without the client's decoration."""
    message = getattr(exc, 'message', None)
    return message if isinstance(message, str) and message else str(exc)
