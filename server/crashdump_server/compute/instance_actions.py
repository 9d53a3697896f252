"""Names of the recorded actions and events, as Nova names them."""
TRIGGER_CRASH_DUMP = 'trigger_crash_dump'
EVENT_TRIGGER_CRASH_DUMP = 'compute_trigger_crash_dump'

SUCCESS = 'Success'
ERROR = 'Error'

#: The details of an event the agent started and never finished.
AGENT_STOPPED = ('The compute agent of host %s stopped while delivering this '
                 'request; the NMI may have been sent. Look at the server\'s '
                 'console before asking again.')
