"""What the API calls a server's and a host's status, from what is stored.

A server's ``status`` follows from its vm_state and task_state, as Nova's
``api/openstack/common.py`` ``status_from_state`` derives it; the servers
list's ``status`` filter goes the other way (:func:`states_for_statuses`).
A host's ``host_status`` (2.16) follows from its compute agent's
heartbeat (:func:`host_status`).
"""

HOST_STATUS_UP = 'UP'
HOST_STATUS_UNKNOWN = 'UNKNOWN'
#: The host has no compute agent row at all (or the server has no host).
HOST_STATUS_NONE = ''

# status by vm_state, then by task_state ('default' when no task matches)
_REBOOT = {'rebooting': 'REBOOT', 'reboot_pending': 'REBOOT',
           'reboot_started': 'REBOOT', 'rebooting_hard': 'HARD_REBOOT',
           'reboot_pending_hard': 'HARD_REBOOT',
           'reboot_started_hard': 'HARD_REBOOT'}
_REBUILD = {'rebuilding': 'REBUILD',
            'rebuild_block_device_mapping': 'REBUILD',
            'rebuild_spawning': 'REBUILD'}
_RESIZE = {'resize_prep': 'RESIZE', 'resize_migrating': 'RESIZE',
           'resize_migrated': 'RESIZE', 'resize_finish': 'RESIZE'}
STATUS_BY_STATE = {
    'active': {'default': 'ACTIVE', **_REBOOT,
               'updating_password': 'PASSWORD', **_REBUILD,
               'migrating': 'MIGRATING', **_RESIZE},
    'building': {'default': 'BUILD'},
    'stopped': {'default': 'SHUTOFF', **_RESIZE, **_REBUILD},
    'resized': {'default': 'VERIFY_RESIZE',
                'resize_reverting': 'REVERT_RESIZE'},
    'paused': {'default': 'PAUSED', 'migrating': 'MIGRATING'},
    'suspended': {'default': 'SUSPENDED'},
    'rescued': {'default': 'RESCUE'},
    'error': {'default': 'ERROR', **_REBUILD},
    'deleted': {'default': 'DELETED'},
    'soft-delete': {'default': 'SOFT_DELETED'},
    'shelved': {'default': 'SHELVED'},
    'shelved_offloaded': {'default': 'SHELVED_OFFLOADED'},
}
#: Statuses in which Nova shows a server's ``progress``.
PROGRESS_STATUSES = ('ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE',
                     'MIGRATING')


def status_from_state(vm_state, task_state=None):
    """The API ``status`` for a vm_state/task_state pair ('UNKNOWN' if odd)."""
    by_task = STATUS_BY_STATE.get(vm_state, {'default': 'UNKNOWN'})
    return by_task.get(task_state, by_task['default'])


def states_for_statuses(statuses):
    """(vm_states, task_states) whose status is one of ``statuses``.

    For the ``status`` filter of the servers list; matching ignores case,
    and a task state of 'default' means "whatever the task". Both lists are
    sorted; both are empty when no status is known.
    """
    wanted = {status.lower() for status in statuses}
    vm_states, task_states = set(), set()
    for vm_state, by_task in STATUS_BY_STATE.items():
        for task_state, status in by_task.items():
            if status.lower() in wanted:
                vm_states.add(vm_state)
                task_states.add(task_state)
    return sorted(vm_states), sorted(task_states)


def host_status(service, is_up):
    """``host_status`` from a host's compute agent row, as Nova derives it.

    No row gives '' (Nova's "no compute service"); a row whose agent
    ``is_up`` (see :mod:`crashdump_server.servicegroup`) gives 'UP', any
    other 'UNKNOWN'.
    """
    if service is None:
        return HOST_STATUS_NONE
    return HOST_STATUS_UP if is_up(service) else HOST_STATUS_UNKNOWN
