"""A python-ironicclient built from the ``[ironic]`` options.

The client is asked for a list of API versions and settles on the highest
one Ironic offers: 1.29 is the least that has ``inject_nmi`` (python-
ironicclient's default 1.9 gets a 404 for it), 1.50 adds the node's
``owner`` and 1.65 its ``lessee``. Its own retries are switched off: the
driver retries 409 and 503 itself, against its deadline.
"""
from ironicclient import client as ironic_client
from keystoneauth1 import loading as ks_loading

from crashdump_server import exception

GROUP = 'ironic'
API_VERSIONS = ['1.29', '1.50', '1.65']
OWNER_VERSION = (1, 50)
LESSEE_VERSION = (1, 65)


def make_client(conf):
    """A v1 client whose API version is already negotiated.

    Raises ConfigError when neither an auth plugin nor an endpoint is
    configured; keystoneauth1 exceptions when Keystone or Ironic cannot be
    reached; ironicclient's UnsupportedVersion when Ironic is older than
    1.29.
    """
    options = getattr(conf, GROUP)
    auth = ks_loading.load_auth_from_conf_options(conf, GROUP)
    if auth is None and not options.endpoint_override:
        raise exception.ConfigError(
            reason='[ironic] needs auth_type (e.g. password, for Keystone) '
                   'or endpoint_override (with auth_type none or '
                   'http_basic, for a standalone Ironic)')
    session = ks_loading.load_session_from_conf_options(conf, GROUP,
                                                        auth=auth)
    client = ironic_client.Client(
        '1',
        endpoint_override=options.endpoint_override,
        session=session,
        os_ironic_api_version=list(API_VERSIONS),
        max_retries=0,
        retry_interval=0,
        interface=options.valid_interfaces,
        service_type=options.service_type,
        region_name=options.region_name)
    client.negotiate_api_version()
    return client


def api_version(client):
    """The negotiated version as a (major, minor) tuple."""
    major, minor = str(client.current_api_version).split('.')
    return int(major), int(minor)
