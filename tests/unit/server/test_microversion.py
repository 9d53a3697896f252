"""api/microversion.py stays the truth about the versions code compares."""
import os
import re
import tokenize

import microversion_parse
import testtools

import crashdump_server
from crashdump_server.api import microversion

SERVER_ROOT = os.path.dirname(crashdump_server.__file__)
MODULE = os.path.join(SERVER_ROOT, 'api', 'microversion.py')
# A string literal that is nothing but a compute API version: '2.47'
# (the RPC interface's '1.2' and Ironic's '1.29' are other APIs).
VERSION_LITERAL = re.compile(r'''^[rRbBuU]?(['"])2\.[0-9]+\1$''')


def version_literals():
    """(path, line, literal) of every version literal outside the module."""
    found = []
    for directory, _dirs, files in os.walk(SERVER_ROOT):
        for name in files:
            path = os.path.join(directory, name)
            if not name.endswith('.py') or path == MODULE:
                continue
            with tokenize.open(path) as stream:
                for token in tokenize.generate_tokens(stream.readline):
                    if (token.type == tokenize.STRING
                            and VERSION_LITERAL.match(token.string)):
                        found.append((os.path.relpath(path, SERVER_ROOT),
                                      token.start[0], token.string))
    return found


def named_versions():
    return {name: value for name, value in vars(microversion).items()
            if isinstance(value, microversion_parse.Version)
            and name not in ('MIN_VERSION', 'MAX_VERSION')}


class MicroversionNamesTest(testtools.TestCase):

    def test_code_compares_only_against_names(self):
        # A version literal in the code may be one VERSIONS does not list,
        # or one whose note does not say what it changes: use a name from
        # api/microversion.py (made with _changes_here) instead.
        self.assertEqual([], version_literals())

    def test_the_scan_finds_a_literal(self):
        # The test above can fail: the scan sees a literal in a module.
        self.assertTrue(VERSION_LITERAL.match("'2.47'"))
        self.assertFalse(VERSION_LITERAL.match("'v2.1'"))
        self.assertFalse(VERSION_LITERAL.match("'2.1.0'"))
        self.assertFalse(VERSION_LITERAL.match("'1.29'"))

    def test_every_name_is_listed_with_what_it_changes(self):
        notes = dict(microversion.VERSIONS)
        names = named_versions()
        self.assertIn('TRIGGER_CRASH_DUMP', names)
        for name, version in names.items():
            self.assertIn(str(version), notes, name)
            self.assertNotEqual(microversion._OTHER, notes[str(version)],
                                name)

    def test_a_name_for_an_unlisted_version_fails(self):
        self.assertRaises(ValueError, microversion._changes_here, '2.105')
        # Listed, but its note says it changes nothing here.
        self.assertRaises(ValueError, microversion._changes_here, '2.2')
        self.assertEqual(microversion_parse.Version(2, 47),
                         microversion._changes_here('2.47'))

    def test_drifted_notes_fixed(self):
        notes = dict(microversion.VERSIONS)
        self.assertIn('ip6', notes['2.5'])
        self.assertIn('query parameter', notes['2.102'])

    def test_versions_are_in_order_and_complete(self):
        versions = [microversion_parse.parse_version_string(v)
                    for v in microversion.VERSION_STRINGS]
        self.assertEqual(sorted(versions), versions)
        self.assertEqual(
            [microversion_parse.Version(2, minor) for minor in
             range(1, microversion.MAX_VERSION.minor + 1)], versions)
