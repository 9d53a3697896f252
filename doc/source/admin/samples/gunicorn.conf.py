# gunicorn configuration for crashdump's compute API (distributed mode).
#
#   CRASHDUMP_CONFIG_FILE=/etc/crashdump/crashdump.conf \
#       gunicorn -c /etc/crashdump/gunicorn.conf.py
#
# The application reads its configuration from CRASHDUMP_CONFIG_FILE
# (default /etc/crashdump/crashdump.conf), never from gunicorn's command
# line. Compute agents run separately (crashdump-compute) and are reached
# over [DEFAULT] transport_url; every worker opens its own database and
# message bus connections.
import os

wsgi_app = 'crashdump_server.wsgi.api:application'

# Where to listen. Behind a load balancer or TLS proxy keep it internal.
bind = os.environ.get('CRASHDUMP_API_BIND', '0.0.0.0:8774')

# Worker processes: about one per core of the API host. Each loads the
# application on its own (no preload), so a worker's connections are its
# own.
workers = int(os.environ.get('CRASHDUMP_API_WORKERS', '2'))
# Threads per worker, as many as crashdump-api's ([api] workers): a
# request spends most of its time waiting on the database, Keystone (on a
# cache miss) or the message bus.
worker_class = 'gthread'
threads = int(os.environ.get('CRASHDUMP_API_THREADS', '16'))

# A request that takes longer than this is stuck: the worker is replaced.
timeout = 60
graceful_timeout = 30
keepalive = 5

# Requests are logged by crashdump itself (one line each, with the request
# id); gunicorn's own messages go to stderr.
errorlog = '-'
loglevel = 'info'

# TLS, when gunicorn terminates it itself (otherwise terminate it in the
# load balancer):
# certfile = '/etc/crashdump/tls/api.crt'
# keyfile = '/etc/crashdump/tls/api.key'
