"""The OpenStackClient plugin: ``openstack server crash-dump ...``.

:mod:`.plugin` holds the hooks OpenStackClient loads, :mod:`.http` builds
the compute client at the negotiated microversion, and
:mod:`.v2.crash_dump` holds the commands.
"""
