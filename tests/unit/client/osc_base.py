"""Running ``openstack`` in-process against the requests-mock compute API.

OpenStackClient is run through its own ``main()``, so the plugin is found
through its installed entry points (``pip install -e client``), options are
parsed by osc-lib and output is formatted by cliff, exactly as for users.
The environment holds no ``OS_*`` variable and HOME is a private
directory, so neither the machine's clouds.yaml nor its variables leak in.
"""

import contextlib
import io
import os

import fixtures
from osc_lib import clientmanager as osc_clientmanager
from openstackclient import shell
import testtools

from crashdump_client.osc import plugin

from . import fakes

ADMIN_TOKEN_ARGS = ("--os-auth-type", "admin_token", "--os-endpoint",
                    fakes.ENDPOINT, "--os-token", fakes.TOKEN)


def forget_client():
    """Drop the client OpenStackClient cached for the plugin.

    osc-lib caches each plugin's client on its class-level descriptor, so
    in one process a second ``main()`` would reuse the first one's session
    and version.
    """
    cache = vars(osc_clientmanager.ClientManager).get(plugin.API_NAME)
    if cache is not None:
        cache._handle = None


class OpenStackTestCase(testtools.TestCase):

    max_version = "2.104"

    def setUp(self):
        super().setUp()
        for name in list(os.environ):
            if name.startswith("OS_"):
                self.useFixture(fixtures.EnvironmentVariable(name))
        self.home = self.useFixture(fixtures.TempDir()).path
        for name, value in (("HOME", self.home),
                            ("XDG_CONFIG_HOME",
                             os.path.join(self.home, "config")),
                            ("XDG_CACHE_HOME",
                             os.path.join(self.home, "cache"))):
            self.useFixture(fixtures.EnvironmentVariable(name, value))
        # cliff names the program after argv[0] in usage lines.
        self.useFixture(fixtures.MonkeyPatch("sys.argv", ["openstack"]))
        self.api = self.useFixture(fakes.ComputeAPI(self.max_version))
        forget_client()
        self.addCleanup(forget_client)

    def openstack(self, *argv, auth=ADMIN_TOKEN_ARGS):
        """Run ``openstack <auth> <argv>``; return (exit code, stdout,
        stderr)."""
        forget_client()
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = shell.main(list(auth) + list(argv))
            except SystemExit as exit:
                code = exit.code
        return code, out.getvalue(), err.getvalue()

    def assertSentVersion(self, version, request):
        self.assertEqual("compute %s" % version,
                         request.headers.get("OpenStack-API-Version"))
