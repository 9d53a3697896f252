"""Body schema of a memory dump create request (crashdump's own)."""
from crashdump_server.compute import dump_formats

CREATE = {
    'type': 'object',
    'properties': {
        'memory_dump': {
            'type': 'object',
            'properties': {
                'format': {'type': 'string',
                           'enum': list(dump_formats.FORMATS)},
                # Send the NMI once the dump is taken.
                'trigger_crash_dump': {'type': 'boolean'},
            },
            'additionalProperties': False,
        },
    },
    'required': ['memory_dump'],
    'additionalProperties': False,
}
