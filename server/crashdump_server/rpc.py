"""oslo.messaging plumbing: transports, the context serializer, notifier."""
import oslo_messaging as messaging

from crashdump_server import context as crashdump_context

_TRANSPORT = None
_NOTIFIER = None

# The embedded mode's default: in-process messaging, no broker.
EMBEDDED_TRANSPORT_URL = 'inproc://'


class ContextSerializer(messaging.NoOpSerializer):
    """Send the RequestContext as a dict; rebuild it on the agent side."""

    def serialize_context(self, context):
        return context.to_dict()

    def deserialize_context(self, context):
        return crashdump_context.RequestContext.from_dict(context)


def register_opts(conf):
    """Register oslo.messaging's [DEFAULT] options, defaulting to inproc://.

    Without a ``transport_url`` crashdump runs embedded: API and agent talk
    in-process. Set it (``rabbit://...``) for the distributed mode.
    """
    messaging.set_transport_defaults('crashdump')
    # Parsing a URL registers oslo.messaging's transport options on conf.
    messaging.TransportURL.parse(conf, EMBEDDED_TRANSPORT_URL)
    conf.set_default('transport_url', EMBEDDED_TRANSPORT_URL)


def init(conf):
    """Create the RPC and notification transports from ``conf``, once."""
    global _TRANSPORT, _NOTIFIER
    if _TRANSPORT is not None:
        return
    register_opts(conf)
    # Exceptions of these modules cross RPC calls with their own class.
    _TRANSPORT = messaging.get_rpc_transport(
        conf, allowed_remote_exmods=['crashdump_server.exception'])
    notification_transport = messaging.get_notification_transport(conf)
    _NOTIFIER = messaging.Notifier(
        notification_transport, serializer=ContextSerializer(),
        topics=['versioned_notifications'])


def cleanup():
    global _TRANSPORT, _NOTIFIER
    if _TRANSPORT is not None:
        _TRANSPORT.cleanup()
    _TRANSPORT = _NOTIFIER = None


def get_client(target, version_cap=None):
    return messaging.get_rpc_client(_TRANSPORT, target,
                                    version_cap=version_cap,
                                    serializer=ContextSerializer())


# Threads the agent handles requests with, unless the operator sets
# executor_thread_pool_size: oslo's 64 threads mostly wait for each other
# (one database, one GIL) and make every request slower.
AGENT_THREADS = 8


def get_server(target, endpoints):
    server = messaging.get_rpc_server(_TRANSPORT, target, endpoints,
                                      executor='threading',
                                      serializer=ContextSerializer())
    # get_rpc_server registers the option; start() reads it.
    _TRANSPORT.conf.set_default('executor_thread_pool_size', AGENT_THREADS)
    return server


def notifications_enabled():
    """False when ``[oslo_messaging_notifications] driver`` names no
    driver but noop: then there is no payload to build."""
    return _NOTIFIER is not None and bool(set(
        _NOTIFIER.transport.conf.oslo_messaging_notifications.driver)
        - {'noop'})


def get_notifier(publisher_id):
    """A versioned notifier; the driver comes from
    ``[oslo_messaging_notifications] driver`` (none: notifications off)."""
    return _NOTIFIER.prepare(publisher_id=publisher_id)
