"""crashdump's API under gunicorn, started with the documented sample
configuration (doc/source/admin/samples/gunicorn.conf.py), for the tests
and the benchmark."""
import os
import subprocess
import sys
import urllib.request

from tests.functional.ironic.realparts import free_port
from tests.lib import process as process_lib

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                    '..'))
SAMPLE = os.path.join(ROOT, 'doc', 'source', 'admin', 'samples',
                      'gunicorn.conf.py')


class GunicornApi:
    """gunicorn -c <the sample> serving crashdump's API on ``port``."""

    def __init__(self, workdir, config_file, workers):
        self.workdir = workdir
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.log_path = os.path.join(workdir, 'gunicorn.log')
        env = dict(os.environ, CRASHDUMP_CONFIG_FILE=config_file,
                   CRASHDUMP_API_BIND='127.0.0.1:%d' % self.port,
                   CRASHDUMP_API_WORKERS=str(workers))
        with open(self.log_path, 'w') as log:
            self.process = subprocess.Popen(
                [os.path.join(os.path.dirname(sys.executable), 'gunicorn'),
                 '-c', SAMPLE], env=env, cwd=workdir, stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=process_lib.die_with_parent)

    def wait_ready(self, timeout=90):
        """Wait until the API answers; RuntimeError with gunicorn's log
        when it exits or stays silent."""
        def answers():
            if self.process.poll() is not None:
                raise RuntimeError('gunicorn exited:\n' + self.output())
            try:
                urllib.request.urlopen(self.url + '/', timeout=2).read()
                return True
            except OSError:
                return False
        try:
            process_lib.wait_for(answers, timeout, 'gunicorn serving '
                                 'crashdump', error=RuntimeError)
        except RuntimeError:
            self.stop()
            raise
        return self

    def worker_pids(self):
        """The pids of the master's worker processes."""
        children = '/proc/%d/task/%d/children' % (self.process.pid,
                                                  self.process.pid)
        with open(children) as stream:
            return [int(pid) for pid in stream.read().split()]

    def output(self):
        with open(self.log_path, errors='replace') as stream:
            return stream.read()[-20000:]

    def stop(self):
        process_lib.stop_process(self.process)
