"""Judging one response against a case step's ``response`` expectations.

:func:`problems` returns a list of sentences, empty when the response is
what the contract says. The expectations (all optional except status):

``status``            the HTTP status
``headers``           {name: exact value}
``header_patterns``   {name: regular expression the whole value matches}
``headers_absent``    [names that must not be sent]
``headers_equal``     [names whose values must all be the same]
``empty_body``        true: no body at all
``body``              the exact JSON body
``fault``             {name, message | message_pattern}: the Nova error
                      body ``{name: {"code": status, "message": ...}}``
``checks``            [{path | header, <op>: ...}], ops below
``example``           a concrete body for the client runner (not checked
                      against the server; it must itself pass the checks)

Check ops: ``equals``, ``matches`` (regex), ``present``, ``absent``,
``length``, ``min_length``, ``fields`` (a fields.yaml table at the step's
version), ``subset`` (dict subset), ``contains`` / ``not_contains`` (a list
item with this subset), ``sorted_desc`` (list of dicts by a key),
``schema`` (JSON schema). A ``path`` is dotted (``server.links.0.href``);
``*`` stands for every item of a list; ``""`` is the whole body.
"""
import json
import re

import jsonschema

from tests.contract import cases as contract_cases

_MISSING = object()


def resolve(body, path):
    """[(concrete path, value)] at ``path``; value _MISSING if absent."""
    found = [('', body)]
    for part in [p for p in path.split('.') if p] if path else []:
        step = []
        for where, value in found:
            if part == '*':
                items = value if isinstance(value, list) else []
                step.extend(('%s.%d' % (where, i), item)
                            for i, item in enumerate(items))
            elif isinstance(value, list) and part.isdigit():
                index = int(part)
                step.append(('%s.%s' % (where, part),
                             value[index] if index < len(value)
                             else _MISSING))
            elif isinstance(value, dict):
                step.append(('%s.%s' % (where, part),
                             value.get(part, _MISSING)))
            else:
                step.append(('%s.%s' % (where, part), _MISSING))
        found = step
    return [(where.lstrip('.') or '<body>', value) for where, value in found]


def is_subset(expected, actual):
    """True when every key of ``expected`` is in ``actual`` with a value
    that is (recursively) a subset; lists compare item by item."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and is_subset(value, actual[key])
            for key, value in expected.items())
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(expected) == len(actual)
                and all(is_subset(e, a) for e, a in zip(expected, actual)))
    return expected == actual


def expected_fields(table, version):
    """(required keys, optional keys) of a fields table at ``version``."""
    wanted = set(table['always'])
    for since, keys in table['since'].items():
        if contract_cases.parse_version(since) <= (
                contract_cases.parse_version(version)):
            wanted |= keys
    return wanted, set(table['optional'])


def _check_value(check, where, value, version, fields):
    """Problems of one value against one check (all ops it names)."""
    out = []
    present = value is not _MISSING
    if 'present' in check and present != bool(check['present']):
        out.append('%s: expected %s' % (where, 'present' if check['present']
                                        else 'absent'))
    if 'absent' in check and present == bool(check['absent']):
        out.append('%s: expected %s, got %r' % (
            where, 'absent' if check['absent'] else 'present',
            None if not present else value))
    ops = set(check) - {'path', 'header', 'present', 'absent'}
    if ops and not present:
        return out + ['%s: missing' % where]
    if 'equals' in check and value != check['equals']:
        out.append('%s: expected %r, got %r' % (
            where, check['equals'], value))
    if 'matches' in check and not (
            isinstance(value, str) and re.fullmatch(check['matches'],
                                                    value)):
        out.append('%s: %r does not match %r' % (where, value,
                                                 check['matches']))
    for op, test in (('length', lambda n, v: len(v) == n),
                     ('min_length', lambda n, v: len(v) >= n)):
        if op in check and not test(check[op], value):
            out.append('%s: %s %s expected, got %d: %r' % (
                where, op, check[op], len(value), value))
    if 'fields' in check:
        out.extend(_check_fields(where, value, fields[check['fields']],
                                 check['fields'], version))
    if 'subset' in check and not is_subset(check['subset'], value):
        out.append('%s: %r is not a superset of %r' % (
            where, value, check['subset']))
    if 'contains' in check and not any(
            is_subset(check['contains'], item) for item in value):
        out.append('%s: no item has %r in %r' % (where, check['contains'],
                                                 value))
    if 'not_contains' in check and any(
            is_subset(check['not_contains'], item) for item in value):
        out.append('%s: an item has %r in %r' % (
            where, check['not_contains'], value))
    if 'sorted_desc' in check:
        keys = [item.get(check['sorted_desc']) for item in value]
        if keys != sorted(keys, reverse=True):
            out.append('%s: not newest first by %s: %r' % (
                where, check['sorted_desc'], keys))
    if 'schema' in check:
        for error in jsonschema.Draft202012Validator(
                check['schema']).iter_errors(value):
            out.append('%s: %s' % (where, error.message))
    return out


def _check_fields(where, value, table, table_name, version):
    if not isinstance(value, dict):
        return ['%s: expected an object, got %r' % (where, value)]
    if version is None:
        return ['%s: no microversion to read table %s at' % (where,
                                                             table_name)]
    required, optional = expected_fields(table, version)
    missing = sorted(required - set(value))
    extra = sorted(set(value) - required - optional)
    out = []
    if missing:
        out.append('%s: at %s (%s) missing keys %s' % (
            where, version, table_name, missing))
    if extra:
        out.append('%s: at %s (%s) unexpected keys %s' % (
            where, version, table_name, extra))
    return out


def problems(expected, status, headers, body, version, fields):
    """Sentences saying where a response breaks ``expected``.

    ``headers`` is a dict with lower-case names, ``body`` the raw bytes,
    ``version`` the microversion the request asked for (a string) and
    ``fields`` the tables of :func:`tests.contract.cases.load_fields`.
    """
    out = []
    if status != expected['status']:
        out.append('status: expected %s, got %s' % (expected['status'],
                                                    status))
    out.extend(_header_problems(expected, headers))
    parsed = _MISSING
    if body:
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = _MISSING
    if expected.get('empty_body') and body:
        out.append('body: expected none, got %r' % body[:200])
    wants_json = ('body' in expected or 'fault' in expected
                  or expected.get('checks'))
    if wants_json and parsed is _MISSING:
        return out + ['body: expected JSON, got %r' % body[:300]]
    if 'body' in expected and parsed != expected['body']:
        out.append('body: expected %r, got %r' % (expected['body'], parsed))
    if 'fault' in expected:
        out.extend(_fault_problems(expected['fault'], expected['status'],
                                   parsed))
    for check in expected.get('checks') or []:
        if 'header' in check:
            value = headers.get(check['header'].lower(), _MISSING)
            out.extend(_check_value(check, check['header'], value, version,
                                    fields))
            continue
        for where, value in resolve(parsed, check.get('path', '')):
            out.extend(_check_value(check, where, value, version, fields))
    return out


def _header_problems(expected, headers):
    out = []
    for name, value in (expected.get('headers') or {}).items():
        if headers.get(name.lower()) != str(value):
            out.append('header %s: expected %r, got %r' % (
                name, value, headers.get(name.lower())))
    for name, pattern in (expected.get('header_patterns') or {}).items():
        got = headers.get(name.lower())
        if got is None or not re.fullmatch(pattern, got):
            out.append('header %s: %r does not match %r' % (name, got,
                                                            pattern))
    for name in expected.get('headers_absent') or []:
        if name.lower() in headers:
            out.append('header %s: expected absent, got %r' % (
                name, headers[name.lower()]))
    same = [headers.get(n.lower()) for n in expected.get('headers_equal')
            or []]
    if len(set(same)) > 1 or None in same:
        out.append('headers %s: expected the same value, got %r' % (
            expected['headers_equal'], same))
    return out


def _fault_problems(fault, status, parsed):
    if not isinstance(parsed, dict) or list(parsed) != [fault['name']]:
        return ['fault: expected {%r: ...}, got %r' % (fault['name'],
                                                       parsed)]
    inner = parsed[fault['name']]
    out = []
    if not isinstance(inner, dict) or set(inner) != {'code', 'message'}:
        return ['fault: expected keys code and message, got %r' % (inner,)]
    if inner['code'] != status:
        out.append('fault code: expected %s, got %r' % (status,
                                                        inner['code']))
    if 'message' in fault and inner['message'] != fault['message']:
        out.append('fault message: expected %r, got %r' % (
            fault['message'], inner['message']))
    if 'message_pattern' in fault and not re.fullmatch(
            fault['message_pattern'], str(inner['message'])):
        out.append('fault message: %r does not match %r' % (
            inner['message'], fault['message_pattern']))
    return out
