"""The crash dump commands take OpenStackClient's usual ways to connect:
options, ``OS_*`` variables, clouds.yaml with ``--os-cloud`` or
``OS_CLOUD``, a Keystone catalog with region and interface, an endpoint
override, and the Keystone-free auth types. Each test checks where the
requests went and which credentials they carried."""

import base64
import os

import yaml

from . import fakes
from . import osc_base

INTERNAL_ENDPOINT = "http://compute-internal.test:8774/v2.1"
KEYSTONE = "http://keystone.test/identity/v3"


class AuthTestCase(osc_base.OpenStackTestCase):

    def setUp(self):
        super().setUp()
        self.api.add_server()
        self.api.accept_action()

    def trigger(self, *global_args, auth=()):
        return self.openstack(*(tuple(global_args) + (
            "server", "crash-dump", "trigger", fakes.SERVER_ID, "-f",
            "value", "-c", "Request ID")), auth=auth)

    def assertTriggered(self, outcome):
        code, out, err = outcome
        self.assertEqual((0, fakes.REQUEST_ID + "\n"), (code, out), err)
        [post] = [r for r in self.api.requests("POST")
                  if r.path.endswith("/action")]
        return post

    def set_env(self, **variables):
        for name, value in variables.items():
            self.useFixture(osc_base.fixtures.EnvironmentVariable(name,
                                                                  value))

    def write_clouds(self, clouds):
        path = os.path.join(self.home, "clouds.yaml")
        with open(path, "w") as stream:
            yaml.safe_dump({"clouds": clouds}, stream)
        self.set_env(OS_CLIENT_CONFIG_FILE=path)


class TestKeystoneFreeAuth(AuthTestCase):

    def test_admin_token_options(self):
        post = self.assertTriggered(self.trigger(
            auth=osc_base.ADMIN_TOKEN_ARGS))
        self.assertEqual(fakes.TOKEN, post.headers["X-Auth-Token"])

    def test_endpoint_and_token_alone_mean_admin_token(self):
        post = self.assertTriggered(self.trigger(
            "--os-endpoint", fakes.ENDPOINT, "--os-token", fakes.TOKEN))
        self.assertEqual(fakes.TOKEN, post.headers["X-Auth-Token"])

    def test_none_sends_keystoneauths_placeholder_token(self):
        # keystoneauth's "none" plugin sends X-Auth-Token: notused; Nova's
        # noauth2 accepts any token, crashdump's noauth wants user:project.
        post = self.assertTriggered(self.trigger(
            "--os-auth-type", "none", "--os-endpoint", fakes.ENDPOINT))
        self.assertEqual("notused", post.headers["X-Auth-Token"])
        self.assertTrue(post.url.startswith(fakes.ENDPOINT + "/"))

    def test_http_basic_sends_basic_credentials_only(self):
        post = self.assertTriggered(self.trigger(
            "--os-auth-type", "http_basic", "--os-endpoint", fakes.ENDPOINT,
            "--os-username", "alice", "--os-password", "s3cret"))
        self.assertEqual(
            "Basic " + base64.b64encode(b"alice:s3cret").decode(),
            post.headers["Authorization"])
        self.assertNotIn("X-Auth-Token", post.headers)


class TestEnvironmentAndCloudsYaml(AuthTestCase):

    def test_environment_variables(self):
        self.set_env(OS_AUTH_TYPE="admin_token", OS_ENDPOINT=fakes.ENDPOINT,
                     OS_TOKEN="bob:demo")
        post = self.assertTriggered(self.trigger())
        self.assertEqual("bob:demo", post.headers["X-Auth-Token"])

    def write_two_clouds(self):
        self.write_clouds({
            "crash": {"auth_type": "admin_token",
                      "auth": {"endpoint": fakes.ENDPOINT,
                               "token": "carol:demo"}},
            "other": {"auth_type": "admin_token",
                      "auth": {"endpoint": "http://wrong.test/v2.1",
                               "token": "x:y"}}})

    def test_os_cloud_option(self):
        self.write_two_clouds()
        post = self.assertTriggered(self.trigger("--os-cloud", "crash"))
        self.assertEqual("carol:demo", post.headers["X-Auth-Token"])

    def test_os_cloud_variable(self):
        self.write_two_clouds()
        self.set_env(OS_CLOUD="crash")
        post = self.assertTriggered(self.trigger())
        self.assertEqual("carol:demo", post.headers["X-Auth-Token"])

    def test_compute_api_version_in_clouds_yaml(self):
        self.write_clouds({"crash": {
            "auth_type": "admin_token", "compute_api_version": "2.61",
            "auth": {"endpoint": fakes.ENDPOINT, "token": fakes.TOKEN}}})
        post = self.assertTriggered(self.trigger("--os-cloud", "crash"))
        self.assertSentVersion("2.61", post)


class TestKeystoneCatalog(AuthTestCase):
    """Password authentication: the compute endpoint comes from the
    catalog, chosen by region and interface as for every command."""

    def setUp(self):
        super().setUp()
        self.api.mock.get(KEYSTONE, json={"version": {
            "id": "v3.14", "status": "stable",
            "links": [{"rel": "self", "href": KEYSTONE + "/"}]}})
        self.api.mock.post(
            KEYSTONE + "/auth/tokens", status_code=201,
            headers={"X-Subject-Token": "keystone-token"},
            json={"token": {
                "methods": ["password"],
                "expires_at": "2099-01-01T00:00:00.000000Z",
                "issued_at": "2024-01-01T00:00:00.000000Z",
                "user": {"id": "u1", "name": "alice",
                         "domain": {"id": "default", "name": "Default"}},
                "project": {"id": "p1", "name": "demo",
                            "domain": {"id": "default", "name": "Default"}},
                "roles": [{"id": "r1", "name": "member"}],
                "catalog": [{"type": "compute", "name": "nova", "id": "c1",
                             "endpoints": [
                                 {"id": "e1", "interface": "public",
                                  "region": "RegionOne",
                                  "region_id": "RegionOne",
                                  "url": fakes.ENDPOINT},
                                 {"id": "e2", "interface": "internal",
                                  "region": "RegionOne",
                                  "region_id": "RegionOne",
                                  "url": INTERNAL_ENDPOINT}]}]}})
        self.password_args = (
            "--os-auth-url", KEYSTONE, "--os-username", "alice",
            "--os-password", "s3cret", "--os-project-name", "demo",
            "--os-user-domain-id", "default",
            "--os-project-domain-id", "default",
            "--os-region-name", "RegionOne")

    def test_public_endpoint_from_the_catalog(self):
        post = self.assertTriggered(self.trigger(*self.password_args))
        self.assertEqual("keystone-token", post.headers["X-Auth-Token"])

    def test_interface_option_picks_the_internal_endpoint(self):
        self.api.mock.get(INTERNAL_ENDPOINT,
                          json=fakes.version_document())
        self.api.mock.get("%s/servers/%s" % (INTERNAL_ENDPOINT,
                                             fakes.SERVER_ID),
                          json={"server": {"id": fakes.SERVER_ID,
                                           "name": "web-1"}})
        self.api.mock.post("%s/servers/%s/action" % (INTERNAL_ENDPOINT,
                                                     fakes.SERVER_ID),
                           status_code=202, headers={
                               "x-openstack-request-id": fakes.REQUEST_ID})
        code, out, err = self.trigger(*(self.password_args +
                                        ("--os-interface", "internal")))
        post = self.assertTriggered((code, out, err))
        self.assertTrue(post.url.startswith(INTERNAL_ENDPOINT))

    def test_endpoint_override_in_clouds_yaml(self):
        self.write_clouds({"crash": {
            "auth_type": "admin_token",
            "compute_endpoint_override": fakes.ENDPOINT,
            "auth": {"endpoint": "http://not-compute.test/",
                     "token": fakes.TOKEN}}})
        post = self.assertTriggered(self.trigger("--os-cloud", "crash"))
        self.assertTrue(post.url.startswith(fakes.ENDPOINT + "/"))
