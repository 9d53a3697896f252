"""Versioned notifications about server actions, shaped like Nova's.

Event types: ``instance.<action>.start``, ``.end`` and ``.error``. The
payload follows Nova's InstanceActionPayload envelope so that consumers of
Nova's notifications can read the fields crashdump has.
"""
from crashdump_server import rpc

PAYLOAD_NAME = 'InstanceActionPayload'
PAYLOAD_VERSION = '1.0'


def _payload(context, instance, host, fault=None):
    data = {
        'uuid': instance.uuid,
        'display_name': instance.display_name,
        'tenant_id': instance.project_id,
        'user_id': instance.user_id,
        'host': host,
        'node': instance.node,
        'state': instance.vm_state,
        'power_state': instance.power_state,
        'task_state': instance.task_state,
        'locked': instance.locked,
        'action_initiator_user': context.user_id,
        'action_initiator_project': context.project_id,
        'request_id': context.request_id,
        'fault': None if fault is None else {'message': fault},
    }
    return {'crashdump_object.name': PAYLOAD_NAME,
            'crashdump_object.namespace': 'crashdump',
            'crashdump_object.version': PAYLOAD_VERSION,
            'crashdump_object.data': data}


def notify_about_instance_action(context, instance, host, action, phase,
                                 fault=None):
    """Emit ``instance.<action>.<phase>``; ``error`` goes out as ERROR."""
    if not rpc.notifications_enabled():
        # No notification driver: no payload to build (the trigger path
        # emits two per request).
        return
    notifier = rpc.get_notifier('crashdump-compute:%s' % host)
    event_type = 'instance.%s.%s' % (action, phase)
    payload = _payload(context, instance, host, fault)
    if phase == 'error':
        notifier.error(context, event_type, payload)
    else:
        notifier.info(context, event_type, payload)
