"""Identity headers: what an auth strategy hands to the context builder.

keystonemiddleware's ``auth_token`` tells the application who is calling
through request headers (``X-User-Id``, ``X-Project-Id``, ``X-Roles``...);
oslo.context reads the same headers back. Every crashdump strategy speaks
that language, so one context path serves them all. The price is that a
client could send those headers itself: :class:`StripIdentityHeaders`
removes them from every request before any strategy runs.
"""
# Exact names (WSGI environ keys) and prefixes of the headers auth_token
# sets or oslo.context reads, old and new spellings. X-Service-Token is
# not among them: it is a token the client sends for auth_token to check.
_EXACT = frozenset([
    'HTTP_X_IDENTITY_STATUS', 'HTTP_X_SERVICE_IDENTITY_STATUS',
    'HTTP_X_ROLES', 'HTTP_X_ROLE', 'HTTP_X_SERVICE_CATALOG',
    'HTTP_X_STORAGE_TOKEN', 'HTTP_X_IS_ADMIN_PROJECT',
    'HTTP_X_SYSTEM_SCOPE', 'HTTP_OPENSTACK_SYSTEM_SCOPE',
    'HTTP_X_USER', 'HTTP_X_TENANT', 'HTTP_X_AUTH_PROJECT_ID',
])
_PREFIXES = ('HTTP_X_USER_', 'HTTP_X_PROJECT_', 'HTTP_X_DOMAIN_',
             'HTTP_X_TENANT_', 'HTTP_X_SERVICE_', 'HTTP_X_TRUST',
             'HTTP_X_APPLICATION_CREDENTIAL', 'HTTP_X_OAUTH')
_KEPT = frozenset(['HTTP_X_SERVICE_TOKEN'])


def is_identity_header(environ_key):
    """True when a client must not set this header (a WSGI environ key)."""
    if environ_key in _KEPT:
        return False
    return environ_key in _EXACT or environ_key.startswith(_PREFIXES)


def strip(environ):
    """Remove the identity headers from ``environ``; returns their names."""
    removed = [key for key in environ if is_identity_header(key)]
    for key in removed:
        del environ[key]
    return removed


def confirm(environ, user_id, user_name, project_id, roles):
    """Set the headers auth_token would set for a confirmed identity."""
    environ.update({
        'HTTP_X_IDENTITY_STATUS': 'Confirmed',
        'HTTP_X_USER_ID': user_id,
        'HTTP_X_USER_NAME': user_name,
        'HTTP_X_USER_DOMAIN_ID': 'default',
        'HTTP_X_PROJECT_ID': project_id,
        'HTTP_X_PROJECT_NAME': project_id,
        'HTTP_X_PROJECT_DOMAIN_ID': 'default',
        'HTTP_X_ROLES': ','.join(roles),
    })


class StripIdentityHeaders:
    """WSGI middleware: client-sent identity headers never reach a strategy.

    First in every pipeline, whatever ``[api] auth_strategy`` says.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        strip(environ)
        return self.application(environ, start_response)
