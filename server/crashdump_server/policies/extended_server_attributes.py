"""The rule for the ``OS-EXT-SRV-ATTR:*`` fields of a server.

Name, default check string and scope type are Nova 34's. Nova also lists
``PUT /servers/{server_id}`` and the ``rebuild`` action, which crashdump does
not serve. The check never fails a request; it decides which fields a
server shows. Target: ``{'project_id': <server's project>}`` when showing one
server, none (the caller's project) for ``/servers/detail``.
"""
from oslo_policy import policy

from crashdump_server.policies import base

EXTENDED_ATTRIBUTES = 'os_compute_api:os-extended-server-attributes'

rules = [
    policy.DocumentedRuleDefault(
        name=EXTENDED_ATTRIBUTES,
        check_str=base.ADMIN,
        description='Show the extended server attributes, which say where '
                    'and how a server runs: ``OS-EXT-SRV-ATTR:host``, '
                    '``OS-EXT-SRV-ATTR:hypervisor_hostname`` and '
                    '``OS-EXT-SRV-ATTR:instance_name``, and from '
                    'microversion 2.3 also ``reservation_id``, '
                    '``launch_index``, ``hostname``, ``kernel_id``, '
                    '``ramdisk_id``, ``root_device_name`` and ``user_data`` '
                    '(all with the ``OS-EXT-SRV-ATTR:`` prefix). From '
                    'microversion 2.90 ``OS-EXT-SRV-ATTR:hostname`` is shown '
                    'to everyone and this rule no longer governs it.',
        operations=[{'method': 'GET', 'path': '/servers/{server_id}'},
                    {'method': 'GET', 'path': '/servers/detail'}],
        scope_types=base.PROJECT_SCOPE),
]


def list_rules():
    """Return the ``DocumentedRuleDefault`` list for extended attributes."""
    return rules
