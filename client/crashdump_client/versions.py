"""Compute API microversions crashdump relies on, and the one check of them.

novaclient negotiates the session's microversion (the shell asks for
"2.latest", capped at novaclient's own maximum) or takes the one the user
pinned. crashdump does not renegotiate behind the user's back: it checks the
version in use against what an operation needs and, when it falls short,
says in one sentence what is needed and what the server offers.
"""

from novaclient import api_versions
from novaclient import exceptions

#: POST /servers/{id}/action {"trigger_crash_dump": null} exists from here.
TRIGGER_CRASH_DUMP = api_versions.APIVersion("2.17")
#: Owners (not only admins) see an instance action's events from here.
EVENTS_FOR_OWNERS = api_versions.APIVersion("2.51")
#: Events carry ``details`` (an admin-only field by default policy) from here.
EVENT_DETAILS = api_versions.APIVersion("2.84")


def server_version_range(compute):
    """Ask the server which microversions it supports.

    :param compute: a novaclient v2 ``Client``.
    :returns: ``(min, max)`` as ``APIVersion`` objects, both null when the
        server does not support microversions, or ``None`` when the server
        would not say (its version document needs authentication, say).
    """
    try:
        current = compute.versions.get_current()
    except exceptions.ClientException:
        return None
    if current is None:
        return None
    # A server without microversions answers with an empty "version".
    return (api_versions.APIVersion(getattr(current, "min_version", "") or
                                    None),
            api_versions.APIVersion(getattr(current, "version", "") or None))


def require(compute, minimum, purpose):
    """Check that the client's microversion is at least ``minimum``.

    :param compute: a novaclient v2 ``Client``.
    :param minimum: the ``APIVersion`` the operation needs.
    :param purpose: what the operation is, as the start of a sentence
        ("Triggering a crash dump").
    :returns: the client's ``APIVersion`` when it is recent enough.
    :raises novaclient.exceptions.UnsupportedVersion: with a one-sentence
        message naming the needed version and what the server supports
        (asked from the server only on this failure path).
    """
    in_use = compute.api_version
    if not in_use.is_null() and in_use >= minimum:
        return in_use
    needed = "%s needs compute API microversion %s or later" % (
        purpose, minimum.get_string())
    server_range = server_version_range(compute)
    if server_range is not None and server_range[1].is_null():
        reason = "the server does not support microversions"
    elif server_range is not None and server_range[1] < minimum:
        reason = "the server supports up to %s" % server_range[1].get_string()
    else:
        reason = "this client was asked for %s" % in_use.get_string()
        if server_range is not None:
            reason += " (the server supports up to %s)" % (
                server_range[1].get_string())
        reason += (", so choose a later --os-compute-api-version or leave "
                   "it out to negotiate one")
    raise exceptions.UnsupportedVersion("%s; %s." % (needed, reason))
