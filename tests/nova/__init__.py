"""Real Nova 34 (its functional-test harness) serving its API on loopback:
the contract suite and both CLIs played against it (``tox -e nova``).

These tests need the ``nova`` distribution, which only the ``nova`` tox
environment installs. Where it is missing, discovery of this package
yields no tests and says so on stderr, unless ``CRASHDUMP_REAL_NOVA`` is
set (the ``nova`` environment sets it): then the tests run and fail, so an
environment meant to test against Nova cannot pass without it.
"""
import importlib.util
import os
import sys

REQUIRED_VARIABLE = 'CRASHDUMP_REAL_NOVA'
NOTICE = ('tests/nova: the nova distribution is not installed here, so the '
          'tests against real Nova are not collected (run "tox -e nova")\n')


def collected():
    """Whether this environment should run the tests against real Nova."""
    # find_spec of the top-level package does not import it (importing
    # Nova's tests would monkey-patch this process).
    return bool(os.environ.get(REQUIRED_VARIABLE) or
                importlib.util.find_spec('nova') is not None)


def load_tests(loader, standard_tests, pattern):
    """unittest's hook: this package's tests, or none (said on stderr)."""
    if not collected():
        sys.stderr.write(NOTICE)
        return standard_tests
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.dirname(os.path.dirname(here))
    standard_tests.addTests(loader.discover(start_dir=here,
                                            pattern=pattern or 'test*.py',
                                            top_level_dir=top))
    return standard_tests
