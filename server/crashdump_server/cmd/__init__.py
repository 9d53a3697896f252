"""Console entry points.

Importing this package quiets two libraries' deprecation warnings that
every command would print otherwise and that an operator can do nothing
about: eventlet's (imported by oslo.service through oslo.messaging) and
dnspython's CryptographyDeprecationWarning about DSA (imported by
eventlet when cryptography is installed, as OpenStackClient brings it).
``python -W ...`` or ``PYTHONWARNINGS`` still show them.
"""
import sys
import warnings

if not sys.warnoptions:
    warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
    warnings.filterwarnings('ignore', message=r'DSA is deprecated',
                            module=r'dns\.')
