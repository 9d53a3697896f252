"""Query schemas of GET /servers, /servers/detail and /servers/{id}.

Nova 34's, version by version:

* 2.1: the filters, sort and paging parameters below; unknown parameters
  are accepted and dropped;
* 2.26: the tag filters; 2.66: ``changes-before``; 2.73: ``locked``, and
  ``locked`` becomes a real sort key;
* 2.75: unknown parameters are rejected, and so are the sort keys that
  earlier versions accepted and silently ignored;
* ``GET /servers/{id}`` takes no parameters; from 2.102 giving one is an
  error.

The schema only checks shape. What the list handler does afterwards is
Nova's too: drop the filters a caller may not use (:func:`allowed_filters`
unless the caller passes ``allow_all_filters``), answer 400
"Invalid filter field: <name>." for :data:`JOINED_TABLE_FILTERS` and names
starting with '_', map ``status`` to states, ignore
:func:`ignored_sort_keys`.
"""
import copy

from crashdump_server.api import microversion
from crashdump_server.api import schemas

_S = schemas.multi_params(schemas.STRING)
_R = schemas.multi_params(schemas.REGEX)
_DT = schemas.multi_params(schemas.DATE_TIME)

# Accepted by the schema so that the handler can refuse them by name.
JOINED_TABLE_FILTERS = ('block_device_mapping', 'services', 'metadata',
                        'system_metadata', 'info_cache', 'security_groups',
                        'pci_devices')

# Sort keys Nova accepts but ignores before 2.75 (and rejects from then on);
# 'locked' became a real key in 2.73.
IGNORED_SORT_KEYS = (
    'architecture', 'cell_name', 'cleaned', 'default_ephemeral_device',
    'default_swap_device', 'deleted', 'deleted_at', 'disable_terminate',
    'ephemeral_gb', 'ephemeral_key_uuid', 'id', 'key_data', 'launched_on',
    'locked', 'memory_mb', 'os_type', 'reservation_id', 'root_gb',
    'shutdown_terminate', 'user_data', 'vcpus', 'vm_mode')
_IGNORED_SORT_KEYS_V273 = tuple(k for k in IGNORED_SORT_KEYS if k != 'locked')
SORT_KEYS = (
    'access_ip_v4', 'access_ip_v6', 'auto_disk_config', 'availability_zone',
    'config_drive', 'created_at', 'display_description', 'display_name',
    'host', 'hostname', 'image_ref', 'instance_type_id', 'kernel_id',
    'key_name', 'launch_index', 'launched_at', 'locked_by', 'node',
    'power_state', 'progress', 'project_id', 'ramdisk_id', 'root_device_name',
    'task_state', 'terminated_at', 'updated_at', 'user_id', 'uuid',
    'vm_state')
# Sort keys only admins may use; others get 403.
ADMIN_ONLY_SORT_KEYS = ('host', 'node')


def _sort_key(keys):
    return schemas.multi_params({'type': 'string', 'enum': list(keys)})


# (name, schema) in Nova's order: jsonschema reports the first failing
# property in this order, so a request with several bad values gets the
# same message from both.
_V21_PARAMETERS = (
    ('user_id', _S), ('project_id', _S), ('tenant_id', _S),
    ('launch_index', _S), ('image_ref', _S), ('image', _S),
    ('kernel_id', _R), ('ramdisk_id', _R), ('hostname', _R),
    ('key_name', _R), ('power_state', _R), ('vm_state', _S),
    ('task_state', _S), ('host', _S), ('node', _R), ('flavor', _R),
    ('reservation_id', _R), ('launched_at', _R), ('terminated_at', _R),
    ('availability_zone', _R), ('name', _R), ('display_name', _R),
    ('description', _R), ('display_description', _R), ('locked_by', _R),
    ('uuid', _S), ('root_device_name', _R), ('config_drive', _R),
    ('access_ip_v4', _R), ('access_ip_v6', _R), ('auto_disk_config', _R),
    ('progress', _R),
    ('sort_key', _sort_key(SORT_KEYS + IGNORED_SORT_KEYS)),
    ('sort_dir', _S), ('all_tenants', _S), ('soft_deleted', _S),
    ('deleted', _S), ('status', _S), ('changes-since', _DT),
    ('ip', _R), ('ip6', _R), ('created_at', _R),
) + tuple((name, _S) for name in JOINED_TABLE_FILTERS) + (
    ('limit', schemas.multi_params(schemas.NON_NEGATIVE_INTEGER)),
    ('marker', _S),
)


def _derive(schema, **properties):
    derived = copy.deepcopy(schema)
    # Replacing a key keeps its place in the dict, hence in error order.
    derived['properties'].update(properties)
    return derived


LIST_V21 = {
    'type': 'object',
    'properties': dict(copy.deepcopy(_V21_PARAMETERS)),
    'additionalProperties': True,
    # Kept through so that the handler can answer "Invalid filter field".
    'patternProperties': {'^_': _S},
}
LIST_V226 = _derive(LIST_V21, **{'tags': _R, 'tags-any': _R,
                                 'not-tags': _R, 'not-tags-any': _R})
LIST_V266 = _derive(LIST_V226, **{'changes-before': _DT})
LIST_V273 = _derive(LIST_V266, sort_key=_sort_key(
    ('locked',) + SORT_KEYS + _IGNORED_SORT_KEYS_V273), locked=_S)
LIST_V275 = _derive(LIST_V273, sort_key=_sort_key(('locked',) + SORT_KEYS))
LIST_V275['additionalProperties'] = False

LIST_QUERY = ((microversion.MIN_VERSION, LIST_V21),
              (microversion.SERVER_TAGS, LIST_V226),
              (microversion.CHANGES_BEFORE, LIST_V266),
              (microversion.SERVER_LOCKED_REASON, LIST_V273),
              (microversion.SERVERS_LIST_STRICT, LIST_V275))

SHOW_V21 = {'type': 'object', 'properties': {}, 'additionalProperties': True}
SHOW_V2102 = {'type': 'object', 'properties': {},
              'additionalProperties': False}
SHOW_QUERY = ((microversion.MIN_VERSION, SHOW_V21),
              (microversion.SHOW_QUERY_STRICT, SHOW_V2102))


def validate_list_query(req):
    """Validate GET /servers or /servers/detail's query string.

    Returns the parameters as a dict of lists (unknown ones dropped before
    2.75, and removed from ``req.GET`` too). Raises
    :class:`crashdump_server.exception.ValidationError`.
    """
    return schemas.validate_query(req, LIST_QUERY)


def validate_show_query(req):
    """Validate GET /servers/{id}'s query string (nothing is accepted; from
    2.102 anything given is an error). Returns the remaining parameters;
    raises :class:`crashdump_server.exception.ValidationError`.
    """
    return schemas.validate_query(req, SHOW_QUERY)


def allowed_filters(version):
    """The filters a caller without ``allow_all_filters`` may use.

    ``all_tenants`` is among them; its own policy decides later. Paging and
    sorting parameters are not filters and are always kept.
    """
    names = ['reservation_id', 'name', 'status', 'image', 'flavor', 'ip',
             'changes-since', 'all_tenants']
    additions = (
        (microversion.SERVERS_IP6_FILTER, ['ip6']),
        (microversion.SERVER_TAGS,
         ['tags', 'tags-any', 'not-tags', 'not-tags-any']),
        (microversion.CHANGES_BEFORE, ['changes-before']),
        (microversion.SERVER_LOCKED_REASON, ['locked']),
        (microversion.SERVERS_MORE_FILTERS,
         ['availability_zone', 'config_drive', 'key_name', 'created_at',
          'launched_at', 'terminated_at', 'power_state', 'task_state',
          'vm_state', 'progress', 'user_id']),
        (microversion.SERVER_HOSTNAME_FOR_OWNERS, ['hostname']),
    )
    for first, more in additions:
        if microversion.at_least(version, first):
            names.extend(more)
    return tuple(names)


def ignored_sort_keys(version):
    """Sort keys to drop silently (with their sort_dir) at ``version``."""
    if microversion.at_least(version, microversion.SERVER_LOCKED_REASON):
        return _IGNORED_SORT_KEYS_V273
    return IGNORED_SORT_KEYS
