"""Sphinx configuration for crashdump's documentation.

Build with warnings as errors::

    sphinx-build -W --keep-going -b html doc/source doc/build/html

The configuration and policy references are generated from the code, so
crashdump-server must be installed (``pip install -e ./server``) for its
``oslo.config.opts`` and ``oslo.policy.policies`` entry points to load.
"""
from importlib import metadata

project = 'crashdump'
author = 'The crashdump authors'
copyright = '2025, The crashdump authors'

try:
    release = metadata.version('crashdump-server')
except metadata.PackageNotFoundError:
    # Without the server installed the generated references cannot build
    # either; say so here instead of failing deep inside an extension.
    raise RuntimeError(
        'crashdump-server is not installed; run "pip install -e ./server" '
        'before building the documentation')
version = '.'.join(release.split('.')[:2])

extensions = [
    # .. show-options:: renders options registered under an
    # oslo.config.opts entry point namespace.
    'oslo_config.sphinxext',
    # .. show-policy:: renders policies-in-code from a generator config file.
    'oslo_policy.sphinxext',
]

root_doc = 'index'
exclude_patterns = ['_build']
pygments_style = 'sphinx'

html_theme = 'alabaster'
html_title = f'crashdump {release}'
html_theme_options = {
    'description': 'Trigger a crash dump (NMI) on a stalled server',
    'fixed_sidebar': True,
    'show_relbars': True,
}
html_sidebars = {
    '**': ['about.html', 'navigation.html', 'relations.html',
           'searchbox.html'],
}
