"""crashdump's OpenStackClient plugin: ``openstack server crash-dump
trigger|list|show``. Stock OpenStackClient (``openstack server dump
create``) is tested in
tests/functional/test_openstackclient_stock_server_dump.py."""
