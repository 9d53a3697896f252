"""crashdump-all --help: what it does and which file it reads, without
libraries' deprecation noise."""

import os
import subprocess
import sys

import testtools


class AllHelpTest(testtools.TestCase):

    def test_help_describes_the_command_and_its_default_file(self):
        env = {k: v for k, v in os.environ.items()
               if k != 'PYTHONWARNINGS'}
        result = subprocess.run(
            [sys.executable, '-c',
             'import sys; from crashdump_server.cmd import all; '
             'sys.argv[0] = "crashdump-all"; all.main()', '--help'],
            capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(0, result.returncode, result.stderr)
        text = ' '.join(result.stdout.split())
        self.assertIn('Run the crashdump compute API and one compute agent '
                      'in one process', text)
        self.assertIn('/etc/crashdump/crashdump.conf', text)
        # Neither eventlet's nor dnspython's deprecation warnings.
        self.assertEqual('', result.stderr)
