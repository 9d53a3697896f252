"""crashdump's policies in code, one module per resource.

``list_rules`` is the ``oslo.policy.policies`` entry point (namespace
``crashdump``) that ``oslopolicy-sample-generator`` reads, and what the
enforcer in :mod:`crashdump_server.policy` registers. This package imports
only oslo.policy, never the API, so the tools load it on any installation.
"""
import itertools

from crashdump_server.policies import base
from crashdump_server.policies import console_output
from crashdump_server.policies import extended_server_attributes
from crashdump_server.policies import instance_actions
from crashdump_server.policies import memory_dumps
from crashdump_server.policies import servers


def list_rules():
    """Return every crashdump ``RuleDefault``: base personas first."""
    return list(itertools.chain(
        base.list_rules(),
        servers.list_rules(),
        extended_server_attributes.list_rules(),
        instance_actions.list_rules(),
        console_output.list_rules(),
        memory_dumps.list_rules(),
    ))
