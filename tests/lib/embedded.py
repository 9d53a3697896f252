"""Run ``crashdump-all`` in a subprocess for functional tests and benchmarks.

The server gets its own state directory, a fake-driver servers file and a
free loopback port; :class:`EmbeddedServer` waits until it answers and
stops it by pid.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from tests.lib import process as processes

_URL = re.compile(r'serving at (http://\S+)/v2\.1')


def fake_server(uuid, name, project_id='demo', user_id='alice', **extra):
    """One entry of a fake driver servers file."""
    entry = {'id': uuid, 'name': name, 'project_id': project_id,
             'user_id': user_id}
    entry.update(extra)
    return entry


class EmbeddedServer:
    """``with EmbeddedServer(servers) as srv:`` then use ``srv.url``.

    ``servers`` is a list of fake driver entries; ``options`` maps
    'section.option' to values written to the config file. Raises
    RuntimeError, with the server's output, when it does not come up.
    """

    def __init__(self, servers, options=None, host='compute-1',
                 start_timeout=60, config=None):
        self.servers = servers
        # A configuration file written elsewhere (the docs' own example)
        # instead of one from servers and options.
        self.config = config
        self.options = dict(options or {})
        self.host = host
        self.start_timeout = start_timeout
        self.url = None
        self.process = None
        self.workdir = None

    @property
    def compute_url(self):
        return self.url + '/v2.1'

    @property
    def nmi_log(self):
        return os.path.join(self.workdir, 'state', 'fake-nmis.log')

    def delivered_nmis(self):
        """The NMIs the fake driver recorded, as a list of dicts."""
        if not os.path.exists(self.nmi_log):
            return []
        with open(self.nmi_log) as log:
            return [json.loads(line) for line in log if line.strip()]

    def _write_config(self):
        servers_file = os.path.join(self.workdir, 'servers.json')
        with open(servers_file, 'w') as stream:
            json.dump(self.servers, stream)
        sections = {
            'DEFAULT': {'state_path': os.path.join(self.workdir, 'state'),
                        'host': self.host, 'compute_driver': 'fake'},
            'api': {'host': '127.0.0.1', 'port': '0'},
            'fake': {'servers_file': servers_file},
        }
        for key, value in self.options.items():
            section, _, option = key.rpartition('.')
            sections.setdefault(section or 'DEFAULT', {})[option] = value
        path = os.path.join(self.workdir, 'crashdump.conf')
        with open(path, 'w') as conf:
            for section, values in sections.items():
                conf.write('[%s]\n' % section)
                for option, value in values.items():
                    conf.write('%s = %s\n' % (option, value))
        return path

    def start(self):
        self.workdir = tempfile.mkdtemp(prefix='crashdump-')
        config = self.config or self._write_config()
        self.output_path = os.path.join(self.workdir, 'server.log')
        with open(self.output_path, 'w') as output:
            self.process = subprocess.Popen(
                [sys.executable, '-m', 'crashdump_server.cmd.all',
                 '--config-file', config],
                stdout=output, stderr=subprocess.STDOUT,
                preexec_fn=processes.die_with_parent)
        deadline = time.monotonic() + self.start_timeout
        try:
            self.url = processes.wait_for(self._serving_url,
                                          self.start_timeout,
                                          'crashdump-all serving')
            processes.wait_for(self._answers,
                               max(0, deadline - time.monotonic()),
                               'crashdump-all answering')
        except (AssertionError, ProcessLookupError):
            self.stop()
            raise RuntimeError('crashdump-all did not start:\n' +
                               self.output())
        return self

    def _serving_url(self):
        """The URL it printed, or None; ProcessLookupError once it exited."""
        if self.process.poll() is not None:
            raise ProcessLookupError('crashdump-all exited')
        match = _URL.search(self.output())
        return match.group(1) if match else None

    def _answers(self):
        try:
            urllib.request.urlopen(self.url + '/', timeout=2).read()
            return True
        except OSError:
            return False

    def output(self):
        with open(self.output_path) as stream:
            return stream.read()

    def stop(self):
        if self.process is not None:
            processes.stop_process(self.process)

    def cleanup(self):
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        self.cleanup()
