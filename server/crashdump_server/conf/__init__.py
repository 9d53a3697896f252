"""Configuration: every option group is registered on the global CONF.

oslo.messaging and oslo.log expect the global ``cfg.CONF``; crashdump uses it
too, so one ``--config-file`` configures every library at once.
"""
from oslo_config import cfg

from crashdump_server.conf import api
from crashdump_server.conf import default
from crashdump_server.conf import fake
from crashdump_server.conf import http
from crashdump_server.conf import http_basic
from crashdump_server.conf import ironic
from crashdump_server.conf import libvirt
from crashdump_server.conf import memory_dump
from crashdump_server.conf import upgrade_levels

CONF = cfg.CONF

for _module in (api, default, fake, http, http_basic, ironic, libvirt,
                memory_dump, upgrade_levels):
    _module.register_opts(CONF)
