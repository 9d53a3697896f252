"""pytest's counterpart of ``load_tests`` in ``tests/nova/__init__.py``."""
import sys

from tests import nova

collect_ignore_glob = []
if not nova.collected():
    sys.stderr.write(nova.NOTICE)
    collect_ignore_glob = ['test_*.py']
