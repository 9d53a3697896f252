# Shared settings for the RabbitMQ and PostgreSQL real-parts scripts
# (sourced, not run). Every setting can be moved with an environment
# variable of the same name.

CRASHDUMP_DISTRIBUTED_RUN=${CRASHDUMP_DISTRIBUTED_RUN:-/run/crashdump-distributed}
# The PostgreSQL cluster Debian 12 creates with the postgresql package.
CRASHDUMP_PG_VERSION=${CRASHDUMP_PG_VERSION:-15}
CRASHDUMP_PG_CLUSTER=${CRASHDUMP_PG_CLUSTER:-main}
CRASHDUMP_PG_PORT=${CRASHDUMP_PG_PORT:-5432}
CRASHDUMP_RABBIT_PORT=${CRASHDUMP_RABBIT_PORT:-5672}

DISTRIBUTED_PACKAGES=(rabbitmq-server postgresql)
CRASHDUMP_ROOT_WHY="the broker and the database run as their own users, started by root"

source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../lib" && pwd)/common.sh"
