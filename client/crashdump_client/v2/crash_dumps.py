"""The crash dump manager: the Python API, ``client.crash_dumps``.

It builds on novaclient's own managers: the action is posted through
``client.servers`` and the instance actions are read through
``client.instance_action``, so requests, headers and errors are exactly
novaclient's. What it adds is the microversion check, the filtering to
crash dump actions and the wait for the outcome.

Example, with a keystoneauth session::

    from novaclient import api_versions, client
    nova = client.Client(api_versions.APIVersion("2.96"), session=sess)
    request_id = nova.crash_dumps.trigger(server_id)
    outcome = nova.crash_dumps.wait(server_id, request_id, timeout=120)
    print(outcome.succeeded, outcome)
"""

from novaclient import base
from novaclient.v2 import instance_action

from crashdump_client import versions
from crashdump_client import waiting


class CrashDumpManager(base.Manager):
    """Trigger crash dumps on servers and follow their outcome."""

    resource_class = instance_action.InstanceAction

    def trigger(self, server):
        """Ask the compute API to inject an NMI (crash dump) into a server.

        :param server: a novaclient ``Server`` or a server id.
        :returns: the request id (``x-openstack-request-id``, else
            ``x-compute-request-id``) that names the instance action, or
            ``None`` if the server sent neither header.
        :raises novaclient.exceptions.UnsupportedVersion: when the client's
            microversion is below 2.17.
        :raises novaclient.exceptions.ClientException: the API's refusal:
            NotFound (404), Conflict (409: locked, not ready, wrong state),
            BadRequest (400: not supported), Forbidden (403).
        """
        versions.require(self.api, versions.TRIGGER_CRASH_DUMP,
                         "Triggering a crash dump")
        accepted = self.api.servers.trigger_crash_dump(server)
        return accepted.request_ids[0] if accepted.request_ids else None

    def list(self, server):
        """List the crash dump requests recorded for a server, newest first.

        :param server: a novaclient ``Server`` or a server id.
        :returns: ``InstanceAction`` resources whose action is
            ``trigger_crash_dump``, from the first page of the server's
            instance actions (the API's default page limit applies).
        :raises novaclient.exceptions.NotFound: no such server.
        """
        actions = self.api.instance_action.list(server)
        return base.ListWithMeta(
            [action for action in actions
             if getattr(action, "action", None) in waiting.ACTION_NAMES],
            actions.request_ids)

    def get(self, server, request_id):
        """Show one crash dump request with its events.

        :param server: a novaclient ``Server`` or a server id.
        :param request_id: the id :meth:`trigger` returned.
        :returns: the ``InstanceAction``; ``events`` is there when the
            caller may see events (admins always, owners from 2.51).
        :raises novaclient.exceptions.NotFound: no such server or action.
        """
        return self.api.instance_action.get(server, request_id)

    def wait(self, server, request_id, timeout=60, interval=2):
        """Wait until the compute agent records the crash dump's outcome.

        :param server: a novaclient ``Server`` or a server id.
        :param request_id: the id :meth:`trigger` returned.
        :param timeout: seconds to wait in all.
        :param interval: seconds between two polls of the action.
        :returns: a :class:`crashdump_client.waiting.CrashDumpOutcome`:
            ``succeeded`` and ``result`` ("Success" or "Error"), and on
            error ``details`` (from microversion 2.84, for admins) or
            ``details_note`` saying why they are not shown.
        :raises crashdump_client.waiting.WaitTimeout: no outcome within
            ``timeout`` seconds.
        :raises crashdump_client.waiting.EventsNotVisible: the caller cannot
            see the action's events at this microversion.
        :raises novaclient.exceptions.ClientException: reading the action
            failed.
        """
        return waiting.wait_for_outcome(
            lambda: self.get(server, request_id), self.api_version,
            timeout=timeout, interval=interval)
