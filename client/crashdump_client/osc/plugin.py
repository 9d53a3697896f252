"""OpenStackClient hooks: the ``crashdump`` client of ``openstack``.

OpenStackClient imports this module for every command it runs (entry point
group ``openstack.cli.extension``), so it imports nothing heavy; the
compute client is built in :mod:`crashdump_client.osc.http` only when a
crash dump command asks for it.

Why a plugin of its own rather than commands in ``openstack.compute.v2``:
OpenStackClient's compute client is openstacksdk's compute proxy, while
crashdump's logic (finding servers, the microversion check, waiting,
results) is written once, against a novaclient ``Client``. The plugin
therefore registers a separate client, ``client_manager.crashdump``, and
leaves ``client_manager.compute`` alone. It builds that client on the same
keystoneauth session, region, interface and endpoint override as every
other ``openstack`` command, so clouds.yaml, ``--os-cloud``, ``OS_*``
variables and the Keystone-free auth types (``none``, ``admin_token``,
``http_basic`` with ``--os-endpoint``) behave as they do elsewhere.

There is no ``--os-crashdump-api-version``: the version is the compute
API's, so :data:`API_VERSION_OPTION` names the option the compute plugin
already defines (``--os-compute-api-version``, ``OS_COMPUTE_API_VERSION``,
``compute_api_version`` in clouds.yaml) and :func:`build_option_parser`
adds nothing. Its major version selects the command group
``openstack.crashdump.v2``; the full value is read in
:func:`crashdump_client.osc.http.negotiated_version`.
"""

import logging

LOG = logging.getLogger(__name__)

API_NAME = "crashdump"
#: The compute plugin's option (see the module docstring).
API_VERSION_OPTION = "os_compute_api_version"
#: Used only when nothing sets a compute API version: negotiate.
DEFAULT_API_VERSION = "2"
#: Major versions with commands; microversions are checked per command.
API_VERSIONS = ("2",)


def check_api_version(check_version):
    """Accept any value here; it is checked when a command needs it.

    OpenStackClient calls this for every command, crash dump or not, so
    refusing here would break unrelated commands. Returning True also
    stops its "not in supported versions" warning about microversions.

    :returns: True.
    """
    return True


def make_client(instance):
    """Build the compute client of the crash dump commands.

    :param instance: OpenStackClient's ``ClientManager``.
    :returns: a novaclient v2 ``Client`` at the negotiated microversion.
    :raises novaclient.exceptions.UnsupportedVersion: the requested compute
        API version is malformed or the server's cannot be used.
    """
    from crashdump_client.osc import http
    return http.make_compute_client(instance, API_NAME)


def build_option_parser(parser):
    """Add no option: ``--os-compute-api-version`` is the compute plugin's.

    :returns: ``parser``, unchanged.
    """
    return parser
