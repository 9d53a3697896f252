"""Names of the recorded actions and events, as Nova names them."""
TRIGGER_CRASH_DUMP = 'trigger_crash_dump'
EVENT_TRIGGER_CRASH_DUMP = 'compute_trigger_crash_dump'

SUCCESS = 'Success'
ERROR = 'Error'
