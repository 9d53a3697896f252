"""Where a crash dump request's CPU goes, one layer at a time.

bench_trigger.py measures the embedded server end to end. This script
takes the same request apart, in this one process, with the service's own
code and configuration (fake driver, SQLite, in-process messaging, 2,000
fake servers), and prints the CPU time per request of each part measured
alone, one thread at a time:

* ``http front``: crashdump's waitress server around an application that
  answers 200 at once, under loadgen.py (its own process) at concurrency
  1; what HTTP costs before the API runs;
* ``GET /v2.1 app``: the API application called directly (middleware and
  the version document, with its request log line);
* ``trigger, API``: the API application called directly with a trigger,
  no agent listening (lookup, policy, the action's record, the cast);
* ``messaging``: a cast through the in-process transport to an endpoint
  that does nothing;
* ``agent manager``: ComputeManager.trigger_crash_dump called directly
  (the event's start and end, the server's row, the fake NMI);
* ``agent, 1 thread``: the agent taking queued requests through
  oslo.messaging with one executor thread;
* ``API + agent together``: triggers sent to the application directly
  while the agent runs (its default threads), until every event is
  finished; less the parts measured alone, this is what sharing one
  interpreter between API and agent costs.

The last lines add the parts up against issue 13's targets (0.9 ms per
trigger, 0.3 ms per GET /v2.1). The figures are uncontended: under load
bench_trigger.py measures more.

Usage: python tools/bench/bench_layers.py [--requests N] [--json]
"""
import argparse
import datetime
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
# The installed crashdump_server (or PYTHONPATH's) first; else this tree's.
sys.path.append(os.path.join(ROOT, 'server'))

from tests.lib import embedded  # noqa: E402

SERVERS = 2000
TRIGGER_BODY = b'{"trigger_crash_dump": null}'


def _log(message):
    print(message, file=sys.stderr, flush=True)


def per_request(seconds, count):
    return seconds / count * 1e3


class Service:
    """The embedded service's parts, configured as crashdump-all does."""

    def __init__(self, workdir):
        from crashdump_server.compute import service as compute_service
        from crashdump_server.db import migration
        from crashdump_server import rpc
        from crashdump_server import service
        self.servers = [embedded.fake_server(str(uuid.uuid4()), 'l-%05d' % i)
                        for i in range(SERVERS)]
        servers_file = os.path.join(workdir, 'servers.json')
        with open(servers_file, 'w') as stream:
            json.dump(self.servers, stream)
        config = os.path.join(workdir, 'crashdump.conf')
        with open(config, 'w') as stream:
            stream.write(
                '[DEFAULT]\nstate_path = %s\nhost = layers\n'
                'compute_driver = fake\nlog_file = %s\n'
                '[fake]\nservers_file = %s\n' % (
                    os.path.join(workdir, 'state'),
                    os.path.join(workdir, 'crashdump.log'), servers_file))
        self.conf = service.prepare_service(['--config-file', config])
        migration.upgrade(self.conf)
        rpc.init(self.conf)
        self.agent = compute_service.ComputeService(self.conf)

    def app(self):
        from crashdump_server.api import deploy
        return deploy.deploy(self.conf)

    def environ(self, index, get=False):
        environ = {
            'REQUEST_METHOD': 'GET' if get else 'POST',
            'PATH_INFO': '/v2.1' if get else '/v2.1/servers/%s/action' % (
                self.servers[index % SERVERS]['id']),
            'QUERY_STRING': '', 'SERVER_NAME': 'localhost',
            'SERVER_PORT': '80', 'SERVER_PROTOCOL': 'HTTP/1.1',
            'wsgi.url_scheme': 'http', 'wsgi.errors': sys.stderr,
            'REMOTE_ADDR': '127.0.0.1', 'HTTP_X_AUTH_TOKEN': 'alice:demo',
            'wsgi.input': io.BytesIO(b'' if get else TRIGGER_BODY)}
        if not get:
            environ.update({'CONTENT_TYPE': 'application/json',
                            'CONTENT_LENGTH': str(len(TRIGGER_BODY)),
                            'HTTP_OPENSTACK_API_VERSION': 'compute 2.17'})
        return environ

    def finished_events(self):
        import sqlalchemy as sa
        from crashdump_server.db import engine
        with engine.connect() as connection:
            return connection.execute(sa.text(
                'SELECT count(*) FROM instance_actions_events '
                'WHERE finish_time IS NOT NULL')).scalar()

    def wait_finished(self, count, timeout=120):
        deadline = time.monotonic() + timeout
        while self.finished_events() < count:
            if time.monotonic() > deadline:
                raise RuntimeError('the agent finished %d of %d events' % (
                    self.finished_events(), count))
            time.sleep(0.005)


def call(app, environ):
    statuses = []
    body = b''.join(app(environ, lambda status, headers, exc=None:
                        statuses.append(status)))
    if not statuses or statuses[0][:3] not in ('200', '202'):
        raise RuntimeError('%s %s: %s %s' % (
            environ['REQUEST_METHOD'], environ['PATH_INFO'], statuses,
            body[:200]))


def thread_cpu(function, count):
    """CPU ms of this thread per call of ``function(i)``, i < count."""
    started = time.thread_time()
    for index in range(count):
        function(index)
    return per_request(time.thread_time() - started, count)


def measure_http_front(conf, workdir, count):
    """Server CPU per request of the HTTP front with a trivial app."""
    from crashdump_server.cmd import http
    body = b'{}'

    def app(environ, start_response):
        start_response('200 OK', [('Content-Type', 'application/json'),
                                  ('Content-Length', str(len(body)))])
        return [body]

    server = http.make_waitress(conf, app, '127.0.0.1', 0)
    url = http.format_url('http', '127.0.0.1',
                          server.socket.getsockname()[1])
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    ids_file = os.path.join(workdir, 'ids.json')
    with open(ids_file, 'w') as stream:
        json.dump(['x'], stream)
    command = [sys.executable, os.path.join(HERE, 'loadgen.py'), '--url',
               url, '--ids-file', ids_file, '--out',
               os.path.join(workdir, 'front.json'), '--concurrency', '1',
               '--requests', str(count), '--get', '/']
    started = time.process_time()
    subprocess.run(command, check=True)
    used = time.process_time() - started
    server.task_dispatcher.shutdown(timeout=1)
    server.close()
    return per_request(used, count)


def measure_messaging(count):
    """CPU per cast through the in-process transport to a no-op
    endpoint, the sender and the endpoint's thread together."""
    import oslo_messaging as messaging
    from crashdump_server import context as crashdump_context
    from crashdump_server import rpc
    received = threading.Semaphore(0)

    class Endpoint:
        target = messaging.Target(version='1.1')

        def trigger_crash_dump(self, context, instance_uuid, deadline=None):
            received.release()

    server = rpc.get_server(messaging.Target(topic='layers-noop',
                                             server='noop'), [Endpoint()])
    server.start()
    client = rpc.get_client(messaging.Target(topic='layers-noop',
                                             version='1.0'))
    context = crashdump_context.RequestContext(
        user_id='alice', project_id='demo', roles=['member'])
    started = time.process_time()
    for _ in range(count):
        client.prepare(server='noop', version='1.1').cast(
            context, 'trigger_crash_dump', instance_uuid='x', deadline='y')
        received.acquire()
    used = time.process_time() - started
    server.stop()
    server.wait()
    return per_request(used, count)


def record_actions(service, count):
    """``count`` trigger actions recorded as the API records them, with
    the contexts the agent gets; returns [(context, uuid)]."""
    from crashdump_server import context as crashdump_context
    from crashdump_server.db import api as db_api
    deadline = datetime.datetime.utcnow() + datetime.timedelta(hours=1)
    requests = []
    for index in range(count):
        context = crashdump_context.RequestContext(
            user_id='alice', project_id='demo', roles=['member'],
            request_id='req-%s' % uuid.uuid4())
        server_id = service.servers[index % SERVERS]['id']
        db_api.action_start(context, server_id, 'trigger_crash_dump',
                            context.request_id, deadline)
        requests.append((context, server_id))
    return requests, deadline.isoformat()


def drain(service, threads, count):
    """Process CPU per request of the agent's RPC server, with
    ``threads`` executor threads, taking up ``count`` queued requests."""
    import oslo_messaging as messaging
    from crashdump_server.compute import rpcapi
    from crashdump_server import rpc
    finished = service.finished_events()
    server = rpc.get_server(
        messaging.Target(topic=rpcapi.TOPIC, server=service.conf.host),
        [service.agent.manager])
    service.conf.set_override('executor_thread_pool_size', threads)
    started = time.process_time()
    server.start()
    service.wait_finished(finished + count)
    used = time.process_time() - started
    server.stop()
    server.wait()
    service.conf.clear_override('executor_thread_pool_size')
    return per_request(used, count)


def run(args):
    from crashdump_server.compute import rpcapi
    from crashdump_server import context as crashdump_context
    from crashdump_server import rpc
    workdir = tempfile.mkdtemp(prefix='crashdump-bench-layers-')
    count = args.requests
    figures = {}
    service = Service(workdir)
    # The agent's inventory and heartbeat; its RPC server starts later.
    service.agent.manager.sync_instances(
        crashdump_context.get_admin_context())
    service.agent._heartbeat()
    _log('http front: %d GETs of a trivial app at concurrency 1' % count)
    figures['http front'] = measure_http_front(service.conf, workdir,
                                               count)
    app = service.app()
    for index in range(200):  # warm-up
        call(app, service.environ(index, get=True))
    _log('in process: %d requests per measurement' % count)
    figures['GET /v2.1 app'] = thread_cpu(
        lambda i: call(app, service.environ(i, get=True)), count)
    # No agent listens yet: the casts wait in its queue.
    figures['trigger, API'] = thread_cpu(
        lambda i: call(app, service.environ(i)), count)
    figures['messaging'] = measure_messaging(count)
    requests, deadline = record_actions(service, count)
    manager = service.agent.manager
    figures['agent manager'] = thread_cpu(
        lambda i: manager.trigger_crash_dump(requests[i][0], requests[i][1],
                                             deadline), count)
    figures['agent, 1 thread'] = drain(service, 1, count)
    # Both at once, the agent with its default threads.
    finished = service.finished_events()
    import oslo_messaging as messaging
    server = rpc.get_server(
        messaging.Target(topic=rpcapi.TOPIC, server=service.conf.host),
        [manager])
    server.start()
    started = time.process_time()
    for index in range(count):
        call(app, service.environ(index))
    service.wait_finished(finished + count)
    figures['API + agent together'] = per_request(
        time.process_time() - started, count)
    return figures


def report(figures):
    alone = (figures['trigger, API'] + figures['agent, 1 thread'])
    lines = ['%-24s %8.3f ms' % (name, value)
             for name, value in figures.items()]
    lines += [
        '%-24s %8.3f ms' % ('sharing the interpreter',
                            figures['API + agent together'] - alone),
        'a trigger, parts alone: http front %.3f + API %.3f + agent %.3f '
        '= %.3f ms (target 0.9 ms)' % (
            figures['http front'], figures['trigger, API'],
            figures['agent, 1 thread'], figures['http front'] + alone),
        'a trigger, API and agent together: %.3f ms with the http front '
        '(target 0.9 ms)' % (figures['http front']
                             + figures['API + agent together']),
        'GET /v2.1: http front %.3f + app %.3f = %.3f ms (target 0.3 ms)' % (
            figures['http front'], figures['GET /v2.1 app'],
            figures['http front'] + figures['GET /v2.1 app'])]
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--requests', type=int, default=3000,
                        help='requests per measurement (default 3000)')
    parser.add_argument('--json', action='store_true',
                        help='print the figures (ms) as one JSON document')
    args = parser.parse_args(argv)
    figures = run(args)
    if args.json:
        print(json.dumps(figures, indent=2, sort_keys=True))
    else:
        print(report(figures))
    # The services' threads (agent, periodics) need no orderly end.
    sys.stdout.flush()
    os._exit(0)


if __name__ == '__main__':
    main()
