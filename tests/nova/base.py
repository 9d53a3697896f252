"""What the CLI tests against real Nova share.

:class:`NovaCliTestCase` is ``tests.functional.base.FunctionalTestCase``
(real ``nova`` and ``openstack`` processes with a clean environment,
checks read over plain HTTP as admin at 2.84) pointed at the harness's
Nova instead of ``crashdump-all``: the process's shared Nova
(:func:`tests.nova.process.shared`), where each class creates its own
servers through the API (``SERVERS``: key -> description, as in
``tests/contract/fixtures.yaml``). ``self.ids[key]`` is a server's id.
Tokens are ``<user>:<project>`` (see :mod:`tests.nova.auth`).
"""
import shutil
import tempfile

from tests.functional import base
from tests.nova import process
from tests.nova import servers

# The programs' own names for what they find.
ERROR_HIDDEN = ('Error: (error details are visible to administrators only, '
                'by the policy os_compute_api:os-instance-actions:events:'
                'details)')


def spec(name, project_id=base.PROJECT, user_id=base.OWNER, **extra):
    """One server description (see tests.nova.servers)."""
    return dict(name=name, project_id=project_id, user_id=user_id, **extra)


class NovaCliTestCase(base.FunctionalTestCase):
    """Runs the CLIs against real Nova; ``SERVERS`` made per class."""

    SERVERS = {}

    @classmethod
    def setUpClass(cls):
        super(base.FunctionalTestCase, cls).setUpClass()
        cls.server = process.shared().nova
        created = servers.create_servers(cls.server.url, cls.SERVERS)
        cls.ids = {key: attrs['id'] for key, attrs in created.items()}
        cls.home = tempfile.mkdtemp(prefix='crashdump-home-')

    def recorded_actions(self, server_id):
        """The server's crash dump actions, newest first (a real server
        also has create, stop, lock... actions)."""
        return [action for action in super().recorded_actions(server_id)
                if action['action'] == base.ACTION]

    @classmethod
    def tearDownClass(cls):
        # The Nova is the process's; it stops when the process ends.
        shutil.rmtree(cls.home, ignore_errors=True)
        super(base.FunctionalTestCase, cls).tearDownClass()


class PinnedNovaTestCase(base.FunctionalTestCase):
    """Runs the CLIs against a Nova whose API maximum is ``MAX_VERSION``
    (no servers: the version check must come before any lookup)."""

    MAX_VERSION = '2.16'

    @classmethod
    def setUpClass(cls):
        super(base.FunctionalTestCase, cls).setUpClass()
        cls.server = process.pinned(cls.MAX_VERSION)
        cls.home = tempfile.mkdtemp(prefix='crashdump-home-')

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.home, ignore_errors=True)
        super(base.FunctionalTestCase, cls).tearDownClass()
