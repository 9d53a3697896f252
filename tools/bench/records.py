"""What the server recorded for a benchmark run: actions, events, NMIs.

Reads the embedded server's SQLite database directly (read-only, short
transactions, so the agent's writes are not held up) instead of asking the
API thousands of times, and spot-checks a sample through the API.
"""
import collections
import datetime
import http.client
import json
import sqlite3
import time
import urllib.parse

ACTION = 'trigger_crash_dump'
EVENT = 'compute_trigger_crash_dump'
# In the details of the agent's RequestExpired event.
EXPIRED_MARK = 'before the compute agent on'

_QUERY = """
SELECT a.request_id, a.instance_uuid, a.action, e.event, e.result,
       e.finish_time, e.details
FROM bench_ids AS b
JOIN instance_actions AS a ON a.request_id = b.request_id
LEFT JOIN instance_actions_events AS e ON e.action_id = a.id
"""


def read_records(db_path, request_ids):
    """{request_id: {'instance_uuid', 'action', 'events': [(event, result,
    finish_time, details)]}} for those of ``request_ids`` that have an
    action row.

    Raises sqlite3.Error when the database cannot be read.
    """
    conn = sqlite3.connect('file:%s?mode=ro' % db_path, uri=True,
                           timeout=30)
    try:
        conn.execute('CREATE TEMP TABLE bench_ids '
                     '(request_id TEXT PRIMARY KEY)')
        conn.executemany('INSERT OR IGNORE INTO bench_ids VALUES (?)',
                         ((rid,) for rid in request_ids))
        records = {}
        for (rid, uuid, action, event, result, finished,
             details) in conn.execute(_QUERY):
            record = records.setdefault(
                rid, {'instance_uuid': uuid, 'action': action,
                      'events': []})
            if event is not None:
                record['events'].append((event, result, finished, details))
        return records
    finally:
        conn.close()


def finished_ok(record, instance_uuid):
    """True when the record is this server's crash dump action and its
    agent event finished with Success."""
    if record is None or record['instance_uuid'] != instance_uuid:
        return False
    if record['action'] != ACTION:
        return False
    return any(event == EVENT and result == 'Success' and finished
               for event, result, finished, _details in record['events'])


def count_finished(records):
    return sum(1 for r in records.values()
               for event, _result, finished, _details in r['events']
               if event == EVENT and finished)


def count_expired(records):
    """Requests the agent refused because they reached it after their
    deadline (the agent's RequestExpired Error event)."""
    return sum(1 for r in records.values()
               for event, result, _finished, details in r['events']
               if event == EVENT and result == 'Error'
               and EXPIRED_MARK in (details or ''))


def wait_drained(db_path, accepted, timeout=120.0, stall=15.0,
                 interval=0.2):
    """Poll until every accepted request's event has finished.

    ``accepted`` maps request id to server uuid. Gives up when ``timeout``
    seconds pass, or when the count of finished events has not grown for
    ``stall`` seconds. Returns (records, seconds waited).
    """
    started = time.monotonic()
    last_count, last_growth = -1, started
    while True:
        records = read_records(db_path, accepted)
        count = count_finished(records)
        now = time.monotonic()
        if count >= len(accepted):
            return records, now - started
        if count > last_count:
            last_count, last_growth = count, now
        if now - started > timeout or now - last_growth > stall:
            return records, now - started
        time.sleep(interval)


def check_run(accepted, records, nmis_before, nmis_after):
    """The correctness figures of one run.

    ``accepted`` maps request id to server uuid for every 202;
    ``nmis_before``/``nmis_after`` are the fake driver's NMI log entries
    before and after the run. Returns a dict: recorded actions, finished
    events (Success), NMIs delivered in the run, the count of 202s lacking
    any of these (``unrecorded``), and up to five examples.
    """
    actions = sum(1 for rid, uuid in accepted.items()
                  if rid in records
                  and records[rid]['instance_uuid'] == uuid
                  and records[rid]['action'] == ACTION)
    succeeded = [rid for rid, uuid in accepted.items()
                 if finished_ok(records.get(rid), uuid)]
    new_nmis = collections.Counter(
        entry['instance_uuid'] for entry in nmis_after[len(nmis_before):])
    wanted = collections.Counter(accepted.values())
    missing_nmis = sum((wanted - new_nmis).values())
    missing = [rid for rid, uuid in accepted.items()
               if not finished_ok(records.get(rid), uuid)]
    unrecorded = max(len(missing), missing_nmis)
    return {'recorded_actions': actions, 'finished_events': len(succeeded),
            'nmis': sum(new_nmis.values()), 'missing_nmis': missing_nmis,
            'expired': count_expired(records),
            'unrecorded': unrecorded, 'examples': missing[:5]}


def nmis_delivered_by(entries, until_epoch):
    """How many of the fake driver's NMI log ``entries`` were delivered at
    or before ``until_epoch`` (their ``at`` is naive UTC ISO 8601)."""
    count = 0
    for entry in entries:
        at = datetime.datetime.fromisoformat(entry['at']).replace(
            tzinfo=datetime.timezone.utc)
        if at.timestamp() <= until_epoch:
            count += 1
    return count


def api_spot_check(url, accepted, sample):
    """Ask the API, as admin, for ``sample`` of the accepted actions.

    Returns the list of problems found (empty when the API agrees that
    each sampled action exists with a Success event).
    """
    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port,
                                      timeout=30)
    headers = {'X-Auth-Token': 'admin:admin',
               'Accept': 'application/json',
               'OpenStack-API-Version': 'compute 2.51'}
    problems = []
    items = list(accepted.items())
    step = max(1, len(items) // max(1, sample))
    try:
        for rid, uuid in items[::step][:sample]:
            conn.request('GET', '%s/v2.1/servers/%s/os-instance-actions/%s'
                         % (parsed.path.rstrip('/'), uuid, rid),
                         headers=headers)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                problems.append('%s: HTTP %d' % (rid, response.status))
                continue
            action = json.loads(body)['instanceAction']
            results = [e.get('result') for e in action.get('events', [])
                       if e.get('event') == EVENT]
            if action.get('action') != ACTION or results != ['Success']:
                problems.append('%s: action %r events %r'
                                % (rid, action.get('action'), results))
    finally:
        conn.close()
    return problems
