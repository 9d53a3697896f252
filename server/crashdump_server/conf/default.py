"""[DEFAULT] options: where the agent keeps state, which driver it runs."""
import socket

from oslo_config import cfg

opts = [
    cfg.StrOpt('compute_driver', default='fake',
               choices=[('fake', 'servers come from [fake] servers_file; '
                                 'for demos and tests'),
                        ('libvirt', 'inject NMIs into libvirt domains'),
                        ('ironic', 'inject NMIs into bare-metal nodes '
                                   'through Ironic')],
               help='The driver the compute agent uses to deliver the NMI. '
                    'Each agent runs exactly one driver.'),
    cfg.StrOpt('state_path', default='/var/lib/crashdump',
               help='Directory where crashdump keeps its state; in the '
                    'embedded mode the SQLite database lives here unless '
                    '[database] connection says otherwise.'),
    cfg.StrOpt('host', default=socket.gethostname(),
               sample_default='<current hostname>',
               help='Name of this compute agent\'s host. Servers reported '
                    'by this agent carry it, and the API routes their '
                    'crash dump requests to the agent listening on it. '
                    'Must be unique per agent.'),
    cfg.IntOpt('report_interval', default=10, min=1,
               help='Seconds between an agent\'s heartbeats in the services '
                    'table.'),
    cfg.IntOpt('service_down_time', default=60, min=1,
               help='Seconds without a heartbeat after which a compute '
                    'agent is considered down: the API then shows its '
                    'servers\' host_status (microversion 2.16 and later) '
                    'as UNKNOWN instead of UP. Keep it well above '
                    'report_interval, or an agent under load flaps between '
                    'the two; Nova\'s option of the same name has the same '
                    'meaning and default.'),
    cfg.IntOpt('sync_interval', default=60, min=1,
               help='Seconds between full inventory syncs of an agent\'s '
                    'driver servers into the database.'),
    cfg.IntOpt('request_ttl', default=300, min=1,
               help='Seconds a crash dump request stays valid. An agent that '
                    'receives a request later than this (it was down, or '
                    'the queue backed up) records an Error event instead of '
                    'crashing the guest long after the user asked.'),
    cfg.IntOpt('unanswered_request_grace', default=60, min=1,
               help='Seconds after a crash dump request\'s deadline '
                    '(request_ttl of the API that accepted it) at which '
                    'the API service gives a request that no agent took '
                    'up an Error event, so the user learns that no NMI was '
                    'sent (the agent was down, or the message was lost with '
                    'a broker restart). An agent that gets such a request '
                    'later sends no NMI. The API looks for such requests '
                    'every this many seconds (at most every 30 s).'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
