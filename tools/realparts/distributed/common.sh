# Shared settings for the RabbitMQ, PostgreSQL and MariaDB real-parts scripts
# (sourced, not run). Every setting can be moved with an environment
# variable of the same name.

CRASHDUMP_DISTRIBUTED_RUN=${CRASHDUMP_DISTRIBUTED_RUN:-/run/crashdump-distributed}
# The PostgreSQL cluster Debian 12 creates with the postgresql package.
CRASHDUMP_PG_VERSION=${CRASHDUMP_PG_VERSION:-15}
CRASHDUMP_PG_CLUSTER=${CRASHDUMP_PG_CLUSTER:-main}
CRASHDUMP_PG_PORT=${CRASHDUMP_PG_PORT:-5432}
CRASHDUMP_RABBIT_PORT=${CRASHDUMP_RABBIT_PORT:-5672}
# MariaDB (Debian 12: 10.11) on the data directory its package creates.
CRASHDUMP_MARIADB_PORT=${CRASHDUMP_MARIADB_PORT:-3306}
CRASHDUMP_MARIADB_SOCKET=${CRASHDUMP_MARIADB_SOCKET:-/run/mysqld/mysqld.sock}
CRASHDUMP_MARIADB_DATADIR=${CRASHDUMP_MARIADB_DATADIR:-/var/lib/mysql}

DISTRIBUTED_PACKAGES=(rabbitmq-server postgresql mariadb-server)
CRASHDUMP_ROOT_WHY="the broker and the databases run as their own users, started by root"

source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../lib" && pwd)/common.sh"
