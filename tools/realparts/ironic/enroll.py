"""Enroll a node in a standalone (noauth) Ironic as a deployed server.

The node gets its driver and driver_info, an instance (``instance_uuid``,
``instance_info.display_name``), an owner and a lessee, and is moved to
``active`` through Ironic's own state machine: ``manage`` (which checks
the power interface against the BMC) and then ``adopt``, so no deployment
runs. fake-hardware nodes go through ``provide`` and a fake deploy instead.

Standard library only, so any Python can run it:

  enroll.py --ironic http://127.0.0.1:6385 --driver ipmi \\
      --driver-info '{"ipmi_address": "127.0.0.1", "ipmi_port": 6230,
                      "ipmi_username": "admin", "ipmi_password": "password"}'
      --instance-uuid UUID [--name NAME] [--display-name NAME]
      [--owner PROJECT] [--lessee PROJECT] [--no-activate]

Prints the node as JSON. Importable: :func:`enroll_node`.
"""
import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request

API_VERSION = '1.65'
# Interfaces the ipmi and redfish types need for adoption and NMI; ironic.sh
# enables exactly these.
INTERFACES = {
    'fake-hardware': {'deploy_interface': 'fake', 'boot_interface': 'fake'},
    'ipmi': {'deploy_interface': 'ramdisk', 'boot_interface': 'pxe'},
    'redfish': {'deploy_interface': 'ramdisk', 'boot_interface': 'pxe'},
}


class IronicError(Exception):
    """An Ironic answer other than 2xx, or a state never reached."""


def call(ironic, method, path, body=None, timeout=30):
    """Ironic's JSON answer (None for no content); raises IronicError."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        ironic.rstrip('/') + path, data=data, method=method,
        headers={'Content-Type': 'application/json',
                 'X-OpenStack-Ironic-API-Version': API_VERSION})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            text = answer.read()
    except urllib.error.HTTPError as exc:
        raise IronicError('%s %s: HTTP %s %s' % (
            method, path, exc.code, exc.read().decode(errors='replace')))
    return json.loads(text) if text else None


def wait_for_state(ironic, node, wanted, timeout=60):
    """The node once its provision_state is ``wanted``; raises
    IronicError when it fails or takes longer than ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        current = call(ironic, 'GET', '/v1/nodes/%s' % node)
        if current['provision_state'] == wanted:
            return current
        if (current.get('last_error')
                and current['provision_state'].endswith('failed')
                or current['provision_state'] == 'enroll'
                and current.get('last_error')):
            raise IronicError('node %s in %s: %s' % (
                node, current['provision_state'], current['last_error']))
        if time.monotonic() > deadline:
            raise IronicError('node %s still in %s after %d s' % (
                node, current['provision_state'], timeout))
        time.sleep(0.2)


def set_provision_state(ironic, node, target):
    call(ironic, 'PUT', '/v1/nodes/%s/states/provision' % node,
         {'target': target})


def enroll_node(ironic, driver, driver_info, instance_uuid, name=None,
                display_name=None, owner=None, lessee=None, activate=True):
    """Create the node and make it a deployed server; returns the node."""
    body = {'driver': driver, 'driver_info': driver_info,
            'network_interface': 'noop'}
    body.update(INTERFACES.get(driver, {}))
    if name:
        body['name'] = name
    node = call(ironic, 'POST', '/v1/nodes', body)
    uuid = node['uuid']
    patch = [{'op': 'add', 'path': '/instance_uuid', 'value': instance_uuid}]
    # Under noauth, Ironic refuses an owner other than the caller's project
    # at creation; a PATCH may set it.
    for key, value in (('owner', owner), ('lessee', lessee)):
        if value:
            patch.append({'op': 'add', 'path': '/' + key, 'value': value})
    if display_name:
        patch.append({'op': 'add', 'path': '/instance_info/display_name',
                      'value': display_name})
    if driver != 'fake-hardware':
        # The ramdisk deploy interface validates that it would know what to
        # boot; adoption never boots it, so any readable file does.
        for key in ('kernel', 'ramdisk'):
            patch.append({'op': 'add', 'path': '/instance_info/' + key,
                          'value': 'file://' + os.path.abspath(__file__)})
    call(ironic, 'PATCH', '/v1/nodes/%s' % uuid, patch)
    if not activate:
        return call(ironic, 'GET', '/v1/nodes/%s' % uuid)
    set_provision_state(ironic, uuid, 'manage')
    wait_for_state(ironic, uuid, 'manageable')
    if driver == 'fake-hardware':
        set_provision_state(ironic, uuid, 'provide')
        wait_for_state(ironic, uuid, 'available')
        set_provision_state(ironic, uuid, 'active')
    else:
        # Adoption (pxe boot) wants a port; no network is ever configured.
        mac = '52:54:00:%s:%s:%s' % (uuid[0:2], uuid[2:4], uuid[4:6])
        call(ironic, 'POST', '/v1/ports', {'node_uuid': uuid,
                                           'address': mac})
        set_provision_state(ironic, uuid, 'adopt')
    return wait_for_state(ironic, uuid, 'active')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--ironic', required=True)
    parser.add_argument('--driver', required=True)
    parser.add_argument('--driver-info', default='{}', type=json.loads)
    parser.add_argument('--instance-uuid', required=True)
    parser.add_argument('--name')
    parser.add_argument('--display-name')
    parser.add_argument('--owner')
    parser.add_argument('--lessee')
    parser.add_argument('--no-activate', dest='activate',
                        action='store_false')
    args = parser.parse_args(argv)
    try:
        node = enroll_node(args.ironic, args.driver, args.driver_info,
                           args.instance_uuid, args.name, args.display_name,
                           args.owner, args.lessee, args.activate)
    except (IronicError, OSError) as exc:
        sys.exit('enroll failed: %s' % exc)
    json.dump(node, sys.stdout, indent=1)
    print()


if __name__ == '__main__':
    main()
