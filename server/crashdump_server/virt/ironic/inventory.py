"""Ironic nodes with an instance, as crashdump's server records.

A node is a server when it has an ``instance_uuid``. Its state says
whether the API accepts a crash dump: a deployed node (``active``, also
when powered off) is ACTIVE, so the request reaches Ironic and a dead or
powered-off machine gives an Error event with Ironic's reason; a node being
deployed, cleaned or serviced carries a task state and the API answers 409.
"""
from oslo_utils import timeutils

from crashdump_server.compute import vm_states
from crashdump_server.virt.ironic import client as ironic_client

# Ironic provision state -> (vm_state, task_state). States not listed
# (enroll, manageable, available, inspecting...) are BUILDING: Nova puts
# the instance uuid on a node before it deploys it.
_PROVISION = {
    'active': (vm_states.ACTIVE, None),
    'rescue': (vm_states.RESCUED, None),
    'deploy failed': (vm_states.ERROR, None),
    'adopt failed': (vm_states.ERROR, None),
    'error': (vm_states.ERROR, None),
    'rescue failed': (vm_states.ERROR, None),
    'unrescue failed': (vm_states.ERROR, None),
    'service failed': (vm_states.ERROR, None),
    'clean failed': (vm_states.ERROR, None),
    'deploying': (vm_states.BUILDING, 'spawning'),
    'wait call-back': (vm_states.BUILDING, 'spawning'),
    'deploy hold': (vm_states.BUILDING, 'spawning'),
    'adopting': (vm_states.BUILDING, 'spawning'),
    'rescuing': (vm_states.ACTIVE, 'rescuing'),
    'rescue wait': (vm_states.ACTIVE, 'rescuing'),
    'unrescuing': (vm_states.RESCUED, 'unrescuing'),
    'deleting': (vm_states.ACTIVE, 'deleting'),
    'cleaning': (vm_states.ACTIVE, 'deleting'),
    'clean wait': (vm_states.ACTIVE, 'deleting'),
    'clean hold': (vm_states.ACTIVE, 'deleting'),
    'servicing': (vm_states.ACTIVE, 'servicing'),
    'service wait': (vm_states.ACTIVE, 'servicing'),
    'service hold': (vm_states.ACTIVE, 'servicing'),
}
# Nodes in these states never finished a deployment: no launched_at, which
# the API refuses a crash dump for, as Nova does for a failed build.
_NEVER_LAUNCHED = ('deploy failed', 'adopt failed')
_POWER = {'power on': vm_states.RUNNING, 'power off': vm_states.SHUTDOWN}

# Ironic's node list cannot return created_at; provision_updated_at is when
# the node last changed provision state, for an active node the end of its
# deployment.
BASE_FIELDS = ('uuid', 'name', 'instance_uuid', 'instance_info',
               'provision_state', 'power_state', 'provision_updated_at')


def node_fields(version):
    """The node fields a sync asks for at API ``version`` (a tuple)."""
    fields = list(BASE_FIELDS)
    if version >= ironic_client.OWNER_VERSION:
        fields.append('owner')
    if version >= ironic_client.LESSEE_VERSION:
        fields.append('lessee')
    return fields


def associated_nodes(client, fields, page_size):
    """Every node with an instance, fetched ``page_size`` at a time.

    Yields ironicclient Node objects with only ``fields`` set; raises what
    the client raises.
    """
    marker = None
    while True:
        # With a limit the client follows Ironic's "next" links until it
        # has that many, so a page_size above Ironic's max_limit still
        # yields full pages and a short page means the end.
        page = client.node.list(associated=True, fields=fields,
                                limit=page_size, marker=marker)
        yield from page
        if len(page) < page_size:
            return
        marker = page[-1].uuid


def server_record(node, host, default_project_id=None, first_seen=None):
    """The Instance columns for ``node`` served by agent ``host``.

    ``first_seen`` (a datetime) stands in for launched_at when Ironic has
    no provision_updated_at for a deployed node.
    """
    info = getattr(node, 'instance_info', None) or {}
    provision_state = getattr(node, 'provision_state', None)
    vm_state, task_state = _PROVISION.get(provision_state,
                                          (vm_states.BUILDING, None))
    changed_at = _time(getattr(node, 'provision_updated_at', None))
    launched_at = None
    if (vm_state != vm_states.BUILDING
            and provision_state not in _NEVER_LAUNCHED):
        launched_at = changed_at or first_seen
    name = info.get('display_name') or node.name or node.uuid
    return {
        'uuid': node.instance_uuid,
        'display_name': name,
        'hostname': name,
        'project_id': (getattr(node, 'lessee', None)
                       or getattr(node, 'owner', None)
                       or default_project_id),
        # Nova writes its user into instance_info when it deploys.
        'user_id': info.get('user_id'),
        'vm_state': vm_state,
        'task_state': task_state,
        'power_state': _POWER.get(getattr(node, 'power_state', None),
                                  vm_states.NOSTATE),
        'host': host,
        'node': node.uuid,
        'created_at': changed_at or first_seen,
        'launched_at': launched_at,
        'driver_info': {'node_uuid': node.uuid},
    }


def _time(value):
    if not value:
        return None
    return timeutils.normalize_time(timeutils.parse_isotime(value))
