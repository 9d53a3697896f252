"""The server representation, as Nova 34 renders it at each microversion.

crashdump knows a server only as the row its compute agent reported, so
what Nova would read from Glance, Neutron, Cinder or the request spec is
rendered from the row's columns, or as the empty value Nova itself shows
when that service has nothing: ``addresses`` ``{}``, no
``security_groups`` key (Nova adds it only for servers with ports),
``os-extended-volumes:volumes_attached`` ``[]``, ``server_groups`` ``[]``,
``trusted_image_certificates`` null, ``pinned_availability_zone`` null,
``scheduler_hints`` ``{}``.

The policy-gated fields are asked of the request's context with Nova's rule
names and targets: one server is checked against its own project, a detail
list against the caller's.
"""
import typing
from urllib import parse

from crashdump_server.api import microversion
from crashdump_server.api.views import formats
from crashdump_server.api.views import links
from crashdump_server.compute import status
from crashdump_server.policies import extended_server_attributes as \
    extended_attributes_policies
from crashdump_server.policies import servers as servers_policies

COLLECTION = 'servers'

RULE_EXTENDED_ATTRIBUTES = extended_attributes_policies.EXTENDED_ATTRIBUTES
RULE_FLAVOR_EXTRA_SPECS = servers_policies.SHOW_FLAVOR_EXTRA_SPECS
RULE_HOST_STATUS = servers_policies.SHOW_HOST_STATUS
RULE_HOST_STATUS_UNKNOWN_ONLY = servers_policies.SHOW_HOST_STATUS_UNKNOWN_ONLY

# Nova's default availability zone for a host in no AZ aggregate, and its
# default instance_name_template.
DEFAULT_AVAILABILITY_ZONE = 'nova'
INSTANCE_NAME_TEMPLATE = 'instance-%08x'

# API flavor key -> (keys accepted in the row's flavor column, default).
# Drivers may report Nova's object field names or the API's own names.
_FLAVOR_FIELDS = (
    ('vcpus', ('vcpus',), 0),
    ('ram', ('memory_mb', 'ram'), 0),
    ('disk', ('root_gb', 'disk'), 0),
    ('ephemeral', ('ephemeral_gb', 'ephemeral'), 0),
    ('swap', ('swap',), 0),
    ('original_name', ('name', 'original_name'), ''),
)
_FLAVOR_ID_KEYS = ('flavorid', 'id')

# How much of host_status the caller may see (2.16 and later).
HOST_STATUS_HIDDEN = 'hidden'
HOST_STATUS_ANY = 'any'
HOST_STATUS_UNKNOWN_ONLY = 'unknown only'


class _Shown(typing.NamedTuple):
    """What one rendering shows besides the fields everybody sees.

    Decided once per request: for one server against its project, for a
    detail list against the caller's. ``version`` is the request's
    microversion; ``extra_specs`` the flavor's extra specs (2.47+);
    ``extended_attributes`` the OS-EXT-SRV-ATTR fields (admins by
    default); ``host_status`` one of the HOST_STATUS_* visibilities;
    ``server_groups`` whether the key is there (one server from 2.71, never
    a list).
    """
    version: object
    extra_specs: bool
    extended_attributes: bool
    host_status: str
    server_groups: bool


def _allowed(context, rule, target):
    return bool(context.can(rule, target=target, fatal=False))


def _shown(req, target, server_groups):
    """The :class:`_Shown` for the request's version and policies."""
    version, context = req.version, req.context
    return _Shown(
        version=version,
        extra_specs=(
            microversion.at_least(version, microversion.FLAVOR_EMBEDDED)
            and _allowed(context, RULE_FLAVOR_EXTRA_SPECS, target)),
        extended_attributes=_allowed(context, RULE_EXTENDED_ATTRIBUTES,
                                     target),
        host_status=_host_status_visibility(version, context, target),
        server_groups=server_groups)


def _host_status_visibility(version, context, target):
    if not microversion.at_least(version, microversion.SERVER_HOST_STATUS):
        return HOST_STATUS_HIDDEN
    if _allowed(context, RULE_HOST_STATUS, target):
        return HOST_STATUS_ANY
    if _allowed(context, RULE_HOST_STATUS_UNKNOWN_ONLY, target):
        return HOST_STATUS_UNKNOWN_ONLY
    return HOST_STATUS_HIDDEN


def index(req, instances, limit):
    """``{'servers': [{id, name, links}], 'servers_links': [...]}``.

    ``limit`` is the page size the list was read with; ``servers_links`` is
    present only when the page is full.
    """
    servers = [{'id': inst.uuid, 'name': inst.display_name,
                'links': links.resource_links(req, COLLECTION, inst.uuid)}
               for inst in instances]
    return _with_next_link(req, COLLECTION, {'servers': servers}, instances,
                           limit)


def detail(req, instances, limit, host_statuses=None):
    """``{'servers': [full server, ...], 'servers_links': [...]}``.

    As :func:`show` for every instance, without ``server_groups`` (Nova
    leaves it out of the list), with the policy checks made once against the
    caller's own project. ``host_statuses`` maps host name to its status
    (see :meth:`crashdump_server.compute.api.API.host_statuses`); a host
    missing from it is 'UNKNOWN'.
    """
    shown = _shown(req, None, server_groups=False)
    servers = [_server(req, inst, shown, host_statuses) for inst in instances]
    return _with_next_link(req, COLLECTION + '/detail', {'servers': servers},
                           instances, limit)


def show(req, instance, host_status=None):
    """``{'server': {...}}``: every field Nova shows at the version.

    ``host_status`` is the status of the instance's host; without it a host
    is 'UNKNOWN'.
    """
    shown = _shown(req, {'project_id': instance.project_id},
                   server_groups=microversion.at_least(
                       req.version, microversion.SERVER_GROUPS))
    statuses = None
    if host_status is not None and instance.host:
        statuses = {instance.host: host_status}
    return {'server': _server(req, instance, shown, statuses)}


def _with_next_link(req, collection, body, instances, limit):
    last_id = instances[-1].uuid if instances else None
    next_links = links.next_links(req, collection, limit, len(instances),
                                  last_id)
    if next_links:
        body['servers_links'] = next_links
    return body


def _server(req, inst, shown, host_statuses):
    """One server as ``shown`` allows; ``host_statuses`` as in detail()."""
    version = shown.version
    server_status = status.status_from_state(inst.vm_state, inst.task_state)
    server = {
        'accessIPv4': '',
        'accessIPv6': '',
        'addresses': _addresses(inst),
        'created': formats.isotime(inst.created_at),
        'flavor': _flavor(req, version, inst, shown.extra_specs),
        'hostId': formats.host_id(inst.host, str(inst.project_id)),
        'id': inst.uuid,
        'image': _image(req, version, inst),
        'links': links.resource_links(req, COLLECTION, inst.uuid),
        'metadata': dict(inst.metadata_ or {}),
        'name': inst.display_name,
        'status': server_status,
        'tenant_id': inst.project_id or '',
        'user_id': inst.user_id or '',
        'updated': formats.isotime(inst.updated_at),
        'OS-DCF:diskConfig': 'MANUAL',
    }
    # A fault would be shown for ERROR and DELETED servers; agents record
    # none, so there is never one.
    if server_status in status.PROGRESS_STATUSES:
        server['progress'] = 0
    server['OS-EXT-AZ:availability_zone'] = _availability_zone(inst)
    server['config_drive'] = ''
    server['key_name'] = inst.key_name
    server['OS-SRV-USG:launched_at'] = formats.strtime(inst.launched_at)
    server['OS-SRV-USG:terminated_at'] = None
    if shown.extended_attributes:
        server.update(_extended_attributes(version, inst))
    server['OS-EXT-STS:task_state'] = inst.task_state
    server['OS-EXT-STS:vm_state'] = inst.vm_state
    server['OS-EXT-STS:power_state'] = inst.power_state
    server['os-extended-volumes:volumes_attached'] = []
    if microversion.at_least(version, microversion.SERVER_LOCKED):
        server['locked'] = bool(inst.locked or inst.locked_by)
    if shown.host_status != HOST_STATUS_HIDDEN:
        host_status = _host_status(inst, host_statuses)
        if (shown.host_status == HOST_STATUS_ANY
                or host_status == status.HOST_STATUS_UNKNOWN):
            server['host_status'] = host_status
    if microversion.at_least(version, microversion.SERVER_DESCRIPTION):
        server['description'] = inst.description
    if microversion.at_least(version, microversion.SERVER_TAGS):
        server['tags'] = list(inst.tags or [])
    if microversion.at_least(version, microversion.TRUSTED_IMAGE_CERTIFICATES):
        server['trusted_image_certificates'] = None
    if shown.server_groups:
        server['server_groups'] = []
    if microversion.at_least(version, microversion.SERVER_LOCKED_REASON):
        server['locked_reason'] = inst.locked_reason
    if (microversion.at_least(version, microversion.SERVER_HOSTNAME_FOR_OWNERS)
            and not shown.extended_attributes):
        # Owners see the hostname from 2.90; admins already have it.
        server['OS-EXT-SRV-ATTR:hostname'] = inst.hostname
    if microversion.at_least(version, microversion.PINNED_AVAILABILITY_ZONE):
        server['pinned_availability_zone'] = None
    if microversion.at_least(version, microversion.SCHEDULER_HINTS):
        server['scheduler_hints'] = {}
    return server


def _host_status(inst, host_statuses):
    if not inst.host:
        return status.HOST_STATUS_NONE
    return (host_statuses or {}).get(inst.host, status.HOST_STATUS_UNKNOWN)


def _availability_zone(inst):
    # Nova shows the requested zone until the server has a host, then the
    # host's zone; crashdump's agents report the zone they know.
    if not inst.host:
        return inst.availability_zone or ''
    return inst.availability_zone or DEFAULT_AVAILABILITY_ZONE


def _extended_attributes(version, inst):
    driver_info = inst.driver_info or {}
    attributes = {
        'OS-EXT-SRV-ATTR:host': inst.host,
        'OS-EXT-SRV-ATTR:instance_name': driver_info.get(
            'instance_name', INSTANCE_NAME_TEMPLATE % (inst.id or 0)),
        'OS-EXT-SRV-ATTR:hypervisor_hostname': inst.node,
    }
    if microversion.at_least(version,
                             microversion.SERVER_MORE_EXTENDED_ATTRIBUTES):
        attributes.update({
            'OS-EXT-SRV-ATTR:hostname': inst.hostname,
            'OS-EXT-SRV-ATTR:kernel_id': '',
            'OS-EXT-SRV-ATTR:launch_index': 0,
            'OS-EXT-SRV-ATTR:ramdisk_id': '',
            'OS-EXT-SRV-ATTR:reservation_id': None,
            'OS-EXT-SRV-ATTR:root_device_name': None,
            'OS-EXT-SRV-ATTR:user_data': None,
        })
    return attributes


def _addresses(inst):
    # Nova hides addresses while a server builds.
    if inst.vm_state == 'building' or not isinstance(inst.addresses, dict):
        return {}
    return {label: [_address(entry) for entry in entries or []]
            for label, entries in inst.addresses.items()}


def _address(entry):
    addr = entry.get('addr', entry.get('address'))
    version = entry.get('version') or (6 if ':' in str(addr) else 4)
    return {
        'version': version,
        'addr': addr,
        'OS-EXT-IPS:type': entry.get('OS-EXT-IPS:type',
                                     entry.get('type', 'fixed')),
        'OS-EXT-IPS-MAC:mac_addr': entry.get('OS-EXT-IPS-MAC:mac_addr',
                                             entry.get('mac_address', '')),
    }


def _image(req, version, inst):
    if not inst.image_ref:
        return ''
    # An image_ref may be a Glance URL; its last path segment is the id.
    image_id = parse.urlsplit(inst.image_ref).path.split('/')[-1]
    image = {'id': image_id,
             'links': links.bookmark_links(req, 'images', image_id)}
    if microversion.at_least(version, microversion.IMAGE_PROPERTIES):
        # Nova reads these from the image properties it copied at boot;
        # crashdump's agents have none to report.
        image['properties'] = {}
    return image


def _first(mapping, keys, default):
    for key in keys:
        if mapping.get(key) is not None:
            return mapping[key]
    return default


def _flavor(req, version, inst, show_extra_specs):
    stored = inst.flavor or {}
    if microversion.at_least(version, microversion.FLAVOR_EMBEDDED):
        # A driver that reported no flavor still gets every required key
        # (zeros, no name): clients read them unconditionally.
        flavor = {api_key: _first(stored, keys, default)
                  for api_key, keys, default in _FLAVOR_FIELDS}
        if show_extra_specs:
            flavor['extra_specs'] = dict(stored.get('extra_specs') or {})
        return flavor
    if not stored:
        # Nova's link form for a server whose flavor is unknown.
        return {}
    flavor_id = str(_first(stored, _FLAVOR_ID_KEYS, ''))
    return {'id': flavor_id,
            'links': links.bookmark_links(req, 'flavors', flavor_id)}
