"""The endpoints the contract cases are played against, and the glue that
turns every case into a test method.

* :class:`InProcessEndpoint`: the server app in this process
  (tests.lib.inprocess.InProcessServer), requests built with WebOb.
* :class:`HttpEndpoint`: any URL over HTTP (our ``crashdump-all`` started by
  tests.lib.embedded, or another compute endpoint).
"""
import json
import os

import requests
import webob

from tests.contract import cases as contract_cases
from tests.contract import exchange
from tests.lib import embedded


def fake_servers(fixtures):
    """The fake driver entries for every fixture server."""
    return [embedded.fake_server(
        attrs['id'], attrs['name'], project_id=attrs['project_id'],
        user_id=attrs['user_id'],
        **{k: v for k, v in attrs.items()
           if k not in ('id', 'name', 'project_id', 'user_id')})
        for attrs in fixtures['servers'].values()]


def noauth_tokens(credentials):
    """X-Auth-Token values of the noauth middleware: ``user:project``."""
    return {name: '%s:%s' % (attrs['user_id'], attrs['project_id'])
            for name, attrs in credentials.items()}


def server_settings(server_options, workdir):
    """``{'section.option': value}`` for a case's ``server_options``.

    The ``policy`` entry (rule name -> check string) becomes a policy file
    in ``workdir`` named by ``oslo_policy.policy_file``.
    """
    settings = {}
    for key, value in server_options.items():
        if key == 'policy':
            path = os.path.join(workdir, 'policy.json')
            with open(path, 'w') as stream:
                json.dump(value, stream)
            settings['oslo_policy.policy_file'] = path
        else:
            settings[key] = value
    return settings


class InProcessEndpoint:
    """The app of an InProcessServer, as a case endpoint."""

    root_url = 'http://localhost'

    def __init__(self, server, fixtures):
        self.server = server
        self.api = fixtures['api']
        self.servers = fixtures['servers']
        self.credentials = fixtures['credentials']
        self.tokens = noauth_tokens(self.credentials)

    def send(self, method, path, headers, body):
        req = webob.Request.blank(path, method=method)
        for name, value in headers.items():
            req.headers[name] = value
        if body is not None:
            req.body = body
        response = req.get_response(self.server.app)
        return exchange.Reply(response.status_int, response.headerlist,
                              response.body)


class HttpEndpoint:
    """A compute endpoint over HTTP.

    ``root_url`` is where ``GET /`` lists the versions (the API is at
    ``root_url + '/v2.1'``); ``servers``/``credentials`` are the fixture
    names this endpoint serves, ``tokens`` their X-Auth-Token values.
    """

    def __init__(self, root_url, api, servers, credentials, tokens,
                 timeout=30):
        self.root_url = root_url.rstrip('/')
        self.api = api
        self.servers = servers
        self.credentials = credentials
        self.tokens = tokens
        self.timeout = timeout
        self.session = requests.Session()

    def send(self, method, path, headers, body):
        # requests would add a JSON content type or encode the body; the
        # case says exactly what goes on the wire.
        headers = dict(headers)
        headers.setdefault('Accept', 'application/json')
        response = self.session.request(
            method, self.root_url + path, headers=headers, data=body,
            timeout=self.timeout, allow_redirects=False)
        # http.client joins repeated headers (Vary) with ", ".
        return exchange.Reply(response.status_code,
                              response.headers.items(), response.content)


def add_case_tests(cls, cases, play):
    """Give ``cls`` one ``test_<area>_<case name>`` method per case.

    Each method calls ``play(self, case)``; its docstring is the case's
    description so runners show what failed.
    """
    for case in cases:
        def test(self, case=case):
            play(self, case)
        test.__name__ = 'test_%s__%s' % (case.area, case.name)
        test.__doc__ = case.description or None
        setattr(cls, test.__name__, test)
    return cls


def load():
    """(fixtures, fields, cases): everything a runner needs."""
    return (contract_cases.load_fixtures(), contract_cases.load_fields(),
            contract_cases.load_cases())
