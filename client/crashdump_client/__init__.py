"""crashdump-client: trigger and follow crash dumps through the compute API.

The novaclient extension lives in :mod:`crashdump_client.novaclient_ext`,
the OpenStackClient plugin in :mod:`crashdump_client.osc`; both run
:mod:`crashdump_client.results`. The Python API is
:class:`crashdump_client.v2.crash_dumps.CrashDumpManager`, reachable as
``client.crash_dumps`` on a novaclient ``Client``.
"""
