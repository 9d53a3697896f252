"""The documentation's examples, run as written.

The configuration block of ``admin/embedded.rst`` and the servers file of
``admin/fake-driver.rst`` start ``crashdump-all``; the ``nova`` commands of
``admin/embedded.rst`` and the Python API snippets of ``cli/index.rst`` and
``user/trigger-crash.rst`` then crash dump ``web-1`` to ``Success``. Only
what cannot work on a test machine is changed: the paths (to a private
directory) and the port (a free one, as ``port = 0`` picks it); each change
checks that the docs still hold the option or URL it replaces. An example
that stops working fails here.
"""
import configparser
import os
import re
import shutil
import subprocess
import sys
import tempfile

from tests.functional import base
from tests.lib.embedded import EmbeddedServer

DOCS = os.path.join(os.path.dirname(__file__), '..', '..', 'doc', 'source')
#: The address the docs' examples serve and reach.
DOC_ROOT = 'http://127.0.0.1:8774'


def code_blocks(page, language):
    """The ``.. code-block:: <language>`` blocks of a doc page, dedented."""
    with open(os.path.join(DOCS, page)) as stream:
        lines = stream.read().splitlines()
    blocks = []
    for number, line in enumerate(lines):
        if line.strip() != '.. code-block:: %s' % language:
            continue
        indent = len(line) - len(line.lstrip())
        body = []
        for text in lines[number + 1:]:
            if text.strip() and len(text) - len(text.lstrip()) <= indent:
                break
            body.append(text)
        text = '\n'.join(body).strip('\n')
        margin = min(len(t) - len(t.lstrip()) for t in text.splitlines()
                     if t.strip())
        blocks.append('\n'.join(t[margin:] for t in text.splitlines()) +
                      '\n')
    return blocks


def shell_commands(block):
    """The ``$ ...`` commands of a console block, continuations joined."""
    commands = []
    for line in block.splitlines():
        if line.startswith('$ '):
            commands.append(line[2:])
        elif commands and commands[-1].endswith('\\'):
            commands[-1] = commands[-1][:-1] + ' ' + line.strip()
    return commands


class DocExamplesTest(base.FunctionalTestCase):

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix='crashdump-docs-')
        [ini] = code_blocks('admin/embedded.rst', 'ini')[:1]
        [servers] = code_blocks('admin/fake-driver.rst', 'yaml')[:1]
        conf = configparser.ConfigParser(interpolation=None)
        conf.read_string(ini)
        cls.doc_conf = {section: dict(conf[section])
                        for section in conf.sections()}
        cls.doc_conf['DEFAULT'] = dict(conf.defaults())
        servers_file = os.path.join(cls.work, 'servers.yaml')
        with open(servers_file, 'w') as stream:
            stream.write(servers)
        for section, option, value in (
                ('DEFAULT', 'state_path', os.path.join(cls.work, 'state')),
                ('fake', 'servers_file', servers_file),
                ('api', 'port', '0')):
            if section != 'DEFAULT':
                assert conf.has_option(section, option), (section, option)
            else:
                assert option in conf.defaults(), option
            conf[section][option] = value
        config = os.path.join(cls.work, 'crashdump.conf')
        with open(config, 'w') as stream:
            conf.write(stream)
        cls.SERVERS = []
        cls.server = EmbeddedServer([], config=config)
        try:
            cls.server.start()
        except Exception:
            shutil.rmtree(cls.work, ignore_errors=True)
            raise
        cls.home = tempfile.mkdtemp(prefix='crashdump-home-')

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.work, ignore_errors=True)

    def served_root(self):
        return self.server.url

    def with_this_server(self, text):
        self.assertIn(DOC_ROOT, text)
        return text.replace(DOC_ROOT, self.served_root())

    def test_the_agent_serves_the_servers_files_host(self):
        self.assertIn('(compute agent %s, driver fake)' %
                      self.doc_conf['DEFAULT']['host'], self.server.output())

    def test_nova_commands_of_the_embedded_page(self):
        [console] = [block for block in
                     code_blocks('admin/embedded.rst', 'console')
                     if 'trigger-crash' in block]
        commands = [self.with_this_server(command)
                    for command in shell_commands(console)]
        env = self.base_env()
        env['PATH'] = os.path.dirname(sys.executable) + os.pathsep + \
            env.get('PATH', '')
        result = subprocess.run(['bash', '-euc', '\n'.join(commands)],
                                env=env, capture_output=True, text=True,
                                timeout=base.CLI_TIMEOUT)
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)
        self.assertRegex(result.stdout,
                         r'Crash dump for server web-1 \([0-9a-f-]+\): '
                         r'Success \(request req-')

    def run_python_snippet(self, page, marker):
        [snippet] = [block for block in code_blocks(page, 'python')
                     if marker in block]
        result = subprocess.run(
            [sys.executable, '-c', self.with_this_server(snippet)],
            env=self.base_env(), capture_output=True, text=True,
            timeout=base.CLI_TIMEOUT)
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)
        self.assertEqual('True Success\n', result.stdout)

    def test_python_api_of_the_cli_reference(self):
        self.run_python_snippet('cli/index.rst', 'token_endpoint.Token')

    def test_python_api_of_the_user_guide(self):
        self.run_python_snippet('user/trigger-crash.rst',
                                'token_endpoint.Token')

    def test_keystone_snippet_compiles(self):
        # A Keystone cloud is not at hand here; the snippet differs from
        # the noauth one, which runs, only in how the session is made.
        [snippet] = [block for block in
                     code_blocks('cli/index.rst', 'python')
                     if "get_plugin_loader('password')" in block]
        compile(snippet, 'cli/index.rst', 'exec')
        self.assertTrue(re.search(r'crash_dumps\.wait\(', snippet))
