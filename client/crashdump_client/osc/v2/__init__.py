"""Commands of the ``openstack.crashdump.v2`` group (compute API v2.1)."""
