"""Server states, with Nova's names and values."""
ACTIVE = 'active'
BUILDING = 'building'
PAUSED = 'paused'
SUSPENDED = 'suspended'
STOPPED = 'stopped'
RESCUED = 'rescued'
RESIZED = 'resized'
SOFT_DELETED = 'soft-delete'
DELETED = 'deleted'
ERROR = 'error'
SHELVED = 'shelved'
SHELVED_OFFLOADED = 'shelved_offloaded'

ALL = (ACTIVE, BUILDING, PAUSED, SUSPENDED, STOPPED, RESCUED, RESIZED,
       SOFT_DELETED, DELETED, ERROR, SHELVED, SHELVED_OFFLOADED)

# The states in which Nova lets a user trigger a crash dump.
ALLOW_TRIGGER_CRASH_DUMP = (ACTIVE, PAUSED, RESCUED, RESIZED, ERROR)

# Power states (Nova's numbering).
NOSTATE = 0
RUNNING = 1
PAUSED_POWER = 3
SHUTDOWN = 4
CRASHED = 6
SUSPENDED_POWER = 7
