"""`openstack server crash-dump` scenarios played against any compute API:
crashdump's server (tests/functional/osc_plugin) and real Nova (tests/nova)."""
import json

import yaml


def json_rows(test, result):
    """The rows of a ``-f json`` run; fails ``test`` when it printed
    something else."""
    try:
        return json.loads(result.stdout)
    except ValueError:
        test.fail('not JSON\n' + result.describe())


def trigger_list_and_show(test, name, server_id):
    """Trigger on ``name`` as its owner, then find the request in ``list``
    and ``show``. ``test`` is a FunctionalTestCase-like test (openstack(),
    rows(), assertSucceeded(), assertOneCrashDump())."""
    result = test.openstack('server', 'crash-dump', 'trigger', name,
                            '-f', 'value', '-c', 'Request ID')
    test.assertSucceeded(result)
    request_id = result.stdout.strip()
    test.assertOneCrashDump(server_id, request_id)

    listing = test.openstack('server', 'crash-dump', 'list', name,
                             '-f', 'json')
    test.assertSucceeded(listing)
    test.assertEqual([(request_id, 'Success')],
                     [(row['Request ID'], row['Result'])
                      for row in test.rows(listing)])

    shown = test.openstack('server', 'crash-dump', 'show', name, request_id,
                           '-f', 'yaml')
    test.assertSucceeded(shown)
    fields = yaml.safe_load(shown.stdout)
    test.assertEqual(
        ('trigger_crash_dump', server_id, request_id, 'alice', 'Success'),
        (fields['action'], fields['instance_uuid'], fields['request_id'],
         fields['user_id'], fields['result']), shown.describe())
    test.assertEqual(['compute_trigger_crash_dump'],
                     [event['event'] for event in fields['events']])
