"""The compute client of the crash dump commands, on OpenStackClient's session.

The client is a novaclient v2 ``Client`` (so the crash dump manager, server
lookup, waiting and results are the same code ``nova`` runs) built on
OpenStackClient's keystoneauth session, so authentication, TLS options,
region, interface and ``compute_endpoint_override`` are OpenStackClient's.

The microversion follows OpenStackClient's rule for the compute API: a
version with a minor part (``--os-compute-api-version 2.60``,
``OS_COMPUTE_API_VERSION``, ``compute_api_version`` in clouds.yaml) is used
as given; a bare major version (the default, ``2``) or ``latest`` means
negotiate: the highest version both the server and novaclient support. A
version too low for a command is refused by that command, in the sentence
of :func:`crashdump_client.versions.require`.
"""

import logging

from novaclient import api_versions
from novaclient import client as nova_client
from novaclient import exceptions

LOG = logging.getLogger(__name__)

USER_AGENT = "crashdump-client"


def requested_version(value):
    """Read the compute API version OpenStackClient was given.

    :param value: the option's value: ``None``, ``"2"``, ``"2.60"``,
        ``"latest"`` or ``"2.latest"``.
    :returns: an ``APIVersion``; ``2.latest`` when the value asks to
        negotiate.
    :raises novaclient.exceptions.UnsupportedVersion: the value is not a
        compute API version.
    """
    text = str(value or "").strip()
    if text in ("", "2", "latest", "2.latest", "None"):
        return api_versions.APIVersion("2.latest")
    try:
        version = api_versions.APIVersion(text)
    except exceptions.UnsupportedVersion:
        raise exceptions.UnsupportedVersion(
            "The compute API version %r is not a version; give one such as "
            "2.60, or leave --os-compute-api-version out to negotiate one."
            % text)
    if version.ver_major != 2:
        raise exceptions.UnsupportedVersion(
            "The compute API version %s is not one of compute API v2; give "
            "one such as 2.60, or leave --os-compute-api-version out to "
            "negotiate one." % text)
    return version


def negotiated_version(compute, requested):
    """The version to use for ``requested`` against this server.

    :param compute: a novaclient v2 ``Client`` (its own version unused).
    :param requested: the ``APIVersion`` from :func:`requested_version`.
    :returns: ``requested`` itself when it is a fixed version (no request
        is sent); otherwise the highest version both the server and
        novaclient support, asked from the server (``GET`` of its version
        document), or ``2.0`` when it does not support microversions.
    :raises novaclient.exceptions.UnsupportedVersion: the server's range
        and novaclient's do not meet, or the endpoint is not a versioned
        compute endpoint (a hint says so).
    """
    if not requested.is_latest():
        return requested
    try:
        return api_versions.discover_version(compute, requested)
    except KeyError:
        # novaclient reads the endpoint's own version document; a root
        # (versions list) answers without one and it fails on the key.
        raise exceptions.UnsupportedVersion(
            "The compute endpoint %s answered with no version document; "
            "is its version path missing? Give the endpoint as "
            "http://<host>:<port>/v2.1 (crashdump's server) or as your "
            "cloud's catalog lists it." % compute.client.get_endpoint())


def make_compute_client(instance, api_name):
    """Build the novaclient ``Client`` the crash dump commands use.

    :param instance: OpenStackClient's ``ClientManager``, after
        authentication was set up.
    :param api_name: the plugin's API name, the key of its version in
        ``instance._api_version``.
    :returns: a novaclient v2 ``Client`` whose ``api_version`` is the
        negotiated or requested microversion.
    :raises novaclient.exceptions.UnsupportedVersion: see
        :func:`requested_version` and :func:`negotiated_version`.
    """
    requested = requested_version(instance._api_version.get(api_name))
    endpoint_override = instance.get_configuration().get(
        "compute_endpoint_override")
    compute = nova_client.Client(
        api_versions.APIVersion("2.1"), session=instance.session,
        region_name=instance.region_name,
        endpoint_type=instance.interface or "public",
        endpoint_override=endpoint_override, user_agent=USER_AGENT)
    compute.api_version = negotiated_version(compute, requested)
    LOG.debug("crash dump commands use compute API microversion %s",
              compute.api_version.get_string())
    return compute
