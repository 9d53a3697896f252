"""crashdump-api and crashdump-compute as separate processes, the way a
distributed site runs them: each with its own configuration file, all
sharing one broker virtual host and one database.

Every process is started from the console scripts installed next to the
interpreter, logs to a file in its own directory, and is stopped by pid.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request

from tests.lib import process as processes

_API_URL = re.compile(r'crashdump API serving at (http://\S+)/v2\.1')
_AGENT_READY = re.compile(r'crashdump compute agent (\S+) running')


def console_script(name):
    """The path of a console script of this interpreter's environment."""
    return os.path.join(os.path.dirname(sys.executable), name)


def write_config(path, sections):
    """Write ``sections`` ({section: {option: value}}) as an ini file."""
    with open(path, 'w') as stream:
        for section, values in sections.items():
            stream.write('[%s]\n' % section)
            for option, value in values.items():
                stream.write('%s = %s\n' % (option, value))
            stream.write('\n')
    return path


def common_sections(backends, workdir, **defaults):
    """What every process of the site shares: broker, database, noauth."""
    sections = {
        'DEFAULT': {'transport_url': backends.transport_url,
                    'state_path': os.path.join(workdir, 'state'),
                    'compute_driver': 'fake'},
        'database': {'connection': backends.database_url},
        'api': {'host': '127.0.0.1', 'port': '0',
                'auth_strategy': 'noauth'},
        'upgrade_levels': {'compute': 'auto'},
    }
    sections['DEFAULT'].update(defaults)
    return sections


def manage(config, *args):
    """Run ``crashdump-manage --config-file CONFIG ARGS``; its output, or
    RuntimeError with everything it printed."""
    argv = [console_script('crashdump-manage'), '--config-file', config]
    result = subprocess.run(argv + list(args), capture_output=True,
                            text=True, timeout=120)
    if result.returncode:
        raise RuntimeError('%s failed (exit %s):\n%s%s' % (
            ' '.join(argv + list(args)), result.returncode, result.stdout,
            result.stderr))
    return result.stdout


def stop_stack(processes, backends, *directories):
    """Stop ``processes`` (in order), then the broker and database that
    ``backends`` started, and remove ``directories`` whatever happens."""
    try:
        for process in processes:
            process.stop()
        backends.stop()
    finally:
        for directory in directories:
            shutil.rmtree(directory, ignore_errors=True)


class CrashdumpProcess:
    """One console script with one config file; ``start()``, ``stop()``.

    ``workdir`` holds its configuration, state and log. Subclasses say how
    to recognise that it is up (``READY``).
    """

    SCRIPT = None
    READY = None

    def __init__(self, workdir, sections, start_timeout=60):
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.config = write_config(os.path.join(workdir, 'crashdump.conf'),
                                   sections)
        self.log_path = os.path.join(workdir, 'process.log')
        self.start_timeout = start_timeout
        self.process = None
        self.ready_match = None

    def launch(self):
        """Start the process without waiting for it; returns self."""
        # Appended to, so a restarted process keeps its earlier log.
        with open(self.log_path, 'a') as output:
            self.process = subprocess.Popen(
                [console_script(self.SCRIPT), '--config-file', self.config],
                stdout=output, stderr=subprocess.STDOUT,
                preexec_fn=processes.die_with_parent)
        self._log_offset = os.path.getsize(self.log_path)
        return self

    def wait_ready(self):
        """Wait for the ready line of this run; RuntimeError with the log
        when the process dies or stays silent."""
        def ready():
            if self.process.poll() is not None:
                raise ProcessLookupError(self.SCRIPT + ' exited')
            return self.READY.search(self.output()[self._log_offset:])

        try:
            self.ready_match = processes.wait_for(
                ready, self.start_timeout, self.SCRIPT + ' ready',
                interval=0.05)
        except (AssertionError, ProcessLookupError):
            self.stop()
            raise RuntimeError('%s did not start:\n%s' % (
                self.SCRIPT, self.output()[-20000:]))
        return self

    def start(self):
        return self.launch().wait_ready()

    def output(self):
        with open(self.log_path, errors='replace') as stream:
            return stream.read()

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def stop(self):
        """SIGTERM, then SIGKILL after 15 s; returns the exit code."""
        if self.process is None:
            return None
        return processes.stop_process(self.process)


class ApiProcess(CrashdumpProcess):
    """``crashdump-api`` on a free loopback port; ``compute_url`` once up."""

    SCRIPT = 'crashdump-api'
    READY = _API_URL

    @property
    def url(self):
        return self.ready_match.group(1)

    @property
    def compute_url(self):
        return self.url + '/v2.1'

    def wait_ready(self):
        super().wait_ready()

        def answers():
            try:
                urllib.request.urlopen(self.url + '/', timeout=2).read()
                return True
            except OSError:
                return False

        processes.wait_for(answers, self.start_timeout,
                           'crashdump-api answering at %s' % self.url,
                           interval=0.05, error=RuntimeError)
        return self


class AgentProcess(CrashdumpProcess):
    """``crashdump-compute`` with the fake driver serving ``servers``."""

    SCRIPT = 'crashdump-compute'
    READY = _AGENT_READY

    def __init__(self, workdir, sections, servers, **kwargs):
        servers_file = os.path.join(workdir, 'servers.json')
        os.makedirs(workdir, exist_ok=True)
        with open(servers_file, 'w') as stream:
            json.dump(servers, stream)
        sections = dict(sections)
        sections['fake'] = {'servers_file': servers_file}
        super().__init__(workdir, sections, **kwargs)
        self.host = sections['DEFAULT']['host']
        self.nmi_log = os.path.join(sections['DEFAULT']['state_path'],
                                    'fake-nmis.log')

    def delivered_nmis(self):
        """The uuids of the servers this agent's fake driver sent NMIs."""
        if not os.path.exists(self.nmi_log):
            return []
        with open(self.nmi_log) as log:
            return [json.loads(line)['instance_uuid'] for line in log
                    if line.strip()]
