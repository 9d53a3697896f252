"""Options listed for oslo-config-generator (namespace ``crashdump``)."""
from crashdump_server.conf import api
from crashdump_server.conf import default
from crashdump_server.conf import fake
from crashdump_server.conf import http
from crashdump_server.conf import http_basic
from crashdump_server.conf import ironic
from crashdump_server.conf import libvirt
from crashdump_server.conf import memory_dump
from crashdump_server.conf import upgrade_levels


def list_opts():
    """Return (group, options) pairs of crashdump's own options."""
    merged = {}
    for module in (default, api, http, fake, http_basic, ironic, libvirt,
                   memory_dump, upgrade_levels):
        # Several modules may add options to one group ([api]).
        for group, opts in module.list_opts().items():
            merged.setdefault(group, []).extend(opts)
    return list(merged.items())
