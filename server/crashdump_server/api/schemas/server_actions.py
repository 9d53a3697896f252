"""Body schemas of the server actions crashdump serves."""

TRIGGER_CRASH_DUMP = {
    'type': 'object',
    'properties': {'trigger_crash_dump': {'type': 'null'}},
    'required': ['trigger_crash_dump'],
    'additionalProperties': False,
}
