"""The harness's Nova as a subprocess of the test runner.

:func:`shared` starts one Nova per test process (stestr worker) on first
use (the contract fixture servers are made there when first asked for),
and stops it when the process exits (or dies: the harness leaves when
orphaned, and gets SIGTERM from the kernel when its parent dies).
:class:`NovaProcess` is one such server.
"""
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile

from tests.contract import cases as contract_cases
from tests.lib import process as processes
from tests.nova import servers

TOP_DIR = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
START_TIMEOUT = 240
_SHARED = {}


class NovaProcess:
    """``python -m tests.nova.harness`` in a work directory of its own.

    After :meth:`start`: ``url`` (root of the endpoint, ``GET /`` lists
    versions), ``compute_url`` (``url + '/v2.1'``), ``min_version`` and
    ``max_version``.
    """

    def __init__(self, max_version=None):
        self.max_version = max_version
        self.workdir = tempfile.mkdtemp(prefix='crashdump-nova-')
        self.process = None
        self.url = self.min_version = self.max_version_served = None

    @property
    def compute_url(self):
        return self.url + '/v2.1'

    def start(self):
        """Start Nova and wait until it serves.

        Raises RuntimeError with the harness's output and log when it
        exits or does not come up within START_TIMEOUT seconds.
        """
        argv = [sys.executable, '-m', 'tests.nova.harness', self.workdir]
        if self.max_version:
            argv += ['--max-version', self.max_version]
        env = dict(os.environ, PYTHONPATH=TOP_DIR, PYTHONWARNINGS='ignore')
        env.pop('OS_TEST_TIMEOUT', None)
        self._output = open(os.path.join(self.workdir, 'output.txt'), 'w')
        self.process = subprocess.Popen(
            argv, cwd=TOP_DIR, env=env, stdin=subprocess.DEVNULL,
            stdout=self._output, stderr=subprocess.STDOUT,
            preexec_fn=processes.die_with_parent)
        ready = os.path.join(self.workdir, 'ready.json')

        def started():
            if self.process.poll() is not None:
                raise ProcessLookupError('the Nova harness exited')
            return os.path.exists(ready)

        try:
            processes.wait_for(started, START_TIMEOUT, 'Nova harness ready')
        except (AssertionError, ProcessLookupError):
            self.stop()
            raise RuntimeError('Nova harness did not start:\n%s' %
                               self.output())
        with open(ready) as stream:
            found = json.load(stream)
        self.url = found['url']
        self.min_version = found['min_version']
        self.max_version_served = found['max_version']
        return self

    def output(self, tail=20000):
        """The end of the harness's output and of Nova's log."""
        text = ''
        for name in ('output.txt', 'nova.log'):
            try:
                with open(os.path.join(self.workdir, name)) as stream:
                    text += '--- %s ---\n%s\n' % (name,
                                                  stream.read()[-tail:])
            except OSError:
                pass
        return text

    def delivered_nmis(self):
        """Every crash dump the fake driver delivered: dicts with
        ``instance_uuid`` and ``time``."""
        try:
            with open(os.path.join(self.workdir, 'nmis.jsonl')) as stream:
                return [json.loads(line) for line in stream if line.strip()]
        except FileNotFoundError:
            return []

    def stop(self):
        """Stop the harness (by its pid) and remove its work directory."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


class SharedNova:
    """The Nova of this test process.

    ``nova`` is a started :class:`NovaProcess`; :meth:`mapping` makes the
    contract fixture servers there on first use (CLI tests make their own
    and need none of them).
    """

    def __init__(self):
        self.nova = NovaProcess().start()
        atexit.register(self.nova.stop)
        self._mapping = None

    def mapping(self):
        """The ``CRASHDUMP_CONTRACT_FIXTURES`` document for this Nova:
        ``servers`` (fixture name -> id, name, project_id, user_id) and
        ``credentials`` (fixture name -> token, user_id, project_id).

        Raises RuntimeError, with Nova's log, when a server cannot be made.
        """
        if self._mapping is None:
            fixtures = contract_cases.load_fixtures()
            try:
                made = servers.create_servers(self.nova.url,
                                              fixtures['servers'])
            except Exception as error:
                raise RuntimeError('%s\n%s' % (error, self.nova.output()))
            self._mapping = {
                'servers': made,
                'credentials': {
                    name: {'token': '%s:%s' % (c['user_id'],
                                               c['project_id']),
                           'user_id': c['user_id'],
                           'project_id': c['project_id']}
                    for name, c in fixtures['credentials'].items()}}
        return self._mapping


def shared():
    """This process's :class:`SharedNova`, started on first call."""
    if 'nova' not in _SHARED:
        _SHARED['nova'] = SharedNova()
    return _SHARED['nova']


def pinned(max_version):
    """A Nova (no servers) whose API maximum is ``max_version``, started
    once per process."""
    key = 'pinned-%s' % max_version
    if key not in _SHARED:
        nova = NovaProcess(max_version=max_version).start()
        atexit.register(nova.stop)
        _SHARED[key] = nova
    return _SHARED[key]
