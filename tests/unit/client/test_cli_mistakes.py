"""Mistakes on the command line and on the way to the server, caught with
a sentence of the command's own: bad counts, refused credentials, an
endpoint without its version path, and the help texts that prevent them.
"""

import argparse

import testtools

from crashdump_client import options

from . import fakes
from . import osc_base
from .test_shell import ShellTestCase

SERVERS = (fakes.SERVER_ID, fakes.OTHER_ID,
           "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5")
UNAUTHORIZED = {"error": {"code": 401, "title": "Unauthorized",
                          "message": "The request you have made requires "
                                     "authentication."}}


def refuse_credentials(api):
    """Every server read answers 401, as with a token the server refuses
    (the version document stays readable, as Nova's is)."""
    for server_id in SERVERS:
        api.mock.get("%s/servers/%s" % (fakes.ENDPOINT, server_id),
                     status_code=401, json=UNAUTHORIZED)


class TestPositive(testtools.TestCase):
    """The type of every count and duration of both CLIs, --timeout
    included (novaclient reads ``nova ... --timeout`` first as its own
    request timeout, which refuses 0 in nova's general usage)."""

    def test_refuses_zero_and_negative(self):
        for kind, text in ((float, "0"), (float, "-1.5"), (int, "0"),
                           (int, "-3")):
            self.assertRaises(argparse.ArgumentTypeError,
                              options.positive(kind), text)

    def test_accepts_above_zero_and_names_the_type(self):
        self.assertEqual(0.5, options.positive(float)("0.5"))
        self.assertEqual(3, options.positive(int)("3"))
        self.assertEqual("int", options.positive(int).__name__)


class TestNovaRefusesBadCounts(ShellTestCase):

    def assertOwnUsageError(self, code, err, option):
        self.assertEqual(2, code)
        self.assertIn("usage: nova trigger-crash", err)
        self.assertIn("argument %s: must be more than 0" % option, err)
        self.assertIn("Try 'nova help trigger-crash' for more information.",
                      err)
        self.assertEqual([], self.api.requests())

    def test_concurrency_zero_and_negative(self):
        for value in ("0", "-3"):
            code, _, err = self.nova("trigger-crash", "--concurrency", value,
                                     fakes.SERVER_ID)
            self.assertOwnUsageError(code, err, "--concurrency")

    def test_poll_interval_zero(self):
        code, _, err = self.nova("trigger-crash", "--wait",
                                 "--poll-interval", "0", fakes.SERVER_ID)
        self.assertOwnUsageError(code, err, "--poll-interval")


class TestOpenStackRefusesBadCounts(osc_base.OpenStackTestCase):

    def test_concurrency_zero_and_negative(self):
        for value in ("0", "-3"):
            code, _, err = self.openstack(
                "server", "crash-dump", "trigger", "--concurrency", value,
                fakes.SERVER_ID)
            self.assertEqual(2, code)
            self.assertIn("argument --concurrency: must be more than 0", err)
            self.assertEqual([], self.api.requests())


class TestOneAuthenticationFailure(ShellTestCase):

    def test_nova_says_401_once_for_three_servers(self):
        refuse_credentials(self.api)
        code, out, err = self.nova("trigger-crash", *SERVERS)
        self.assertEqual(1, code)
        self.assertEqual("", out)
        errors = [line for line in err.splitlines() if "HTTP 401" in line]
        self.assertEqual(1, len(errors), err)
        self.assertTrue(errors[0].startswith("ERROR (Unauthorized): "),
                        errors[0])
        self.assertEqual([], self.api.requests("POST"))


class TestOpenStackOneAuthenticationFailure(osc_base.OpenStackTestCase):

    def test_openstack_says_401_once_for_three_servers(self):
        refuse_credentials(self.api)
        code, out, err = self.openstack(
            "server", "crash-dump", "trigger", *SERVERS)
        self.assertEqual(1, code)
        self.assertEqual("", out)
        self.assertEqual(1, err.count("HTTP 401"), err)


class TestEndpointWithoutVersion(osc_base.OpenStackTestCase):

    def test_hint_names_the_version_path(self):
        root = fakes.ENDPOINT.rsplit("/", 1)[0]
        # A root answers with the list of versions, not one version.
        self.api.mock.get(root, json={"versions": [
            fakes.version_document()["version"]]})
        code, out, err = self.openstack(
            "server", "crash-dump", "trigger", fakes.SERVER_ID,
            auth=("--os-auth-type", "admin_token", "--os-endpoint", root,
                  "--os-token", fakes.TOKEN))
        self.assertEqual(1, code)
        self.assertIn("The compute endpoint %s answered with no version "
                      "document; is its version path missing? Give the "
                      "endpoint as http://<host>:<port>/v2.1" % root, err)
        self.assertNotIn("KeyError", err)


class TestTriggerCrashHelp(ShellTestCase):

    def test_says_what_happens_and_what_it_needs(self):
        code, out, _ = self.nova("help", "trigger-crash")
        self.assertEqual(0, code)
        text = " ".join(out.split())
        self.assertIn("a guest set up for it panics at once", text)
        self.assertIn("kernel.unknown_nmi_panic=1", text)
        self.assertIn("Needs compute API microversion 2.17 or later", text)
