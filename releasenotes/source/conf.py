"""Sphinx configuration for crashdump's release notes (reno).

Build with warnings as errors::

    sphinx-build -W --keep-going -b html releasenotes/source releasenotes/build/html

reno reads the notes from git history, so a note appears only once it is
committed.
"""
project = 'crashdump release notes'
author = 'The crashdump authors'
copyright = '2025, The crashdump authors'

extensions = ['reno.sphinxext']

root_doc = 'index'
exclude_patterns = ['_build']
pygments_style = 'sphinx'

html_theme = 'alabaster'
html_theme_options = {
    'description': 'What changed in each crashdump release',
}
