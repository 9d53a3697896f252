"""Names shared by every layer that handles host-side memory dumps."""
KDUMP_ZLIB = 'kdump-zlib'
KDUMP_LZO = 'kdump-lzo'
KDUMP_SNAPPY = 'kdump-snappy'
ELF = 'elf'
WIN_DMP = 'win-dmp'

#: Every format a user may ask for; the first is the default.
FORMATS = (KDUMP_ZLIB, KDUMP_LZO, KDUMP_SNAPPY, ELF, WIN_DMP)
DEFAULT = KDUMP_ZLIB

#: The file name suffix of each format (kdump files are makedumpfile's
#: flattened format: ``makedumpfile -R`` makes them seekable for crash).
SUFFIXES = {KDUMP_ZLIB: '.kdump', KDUMP_LZO: '.kdump', KDUMP_SNAPPY: '.kdump',
            ELF: '.elf', WIN_DMP: '.dmp'}

# A dump's status.
CREATING = 'creating'
AVAILABLE = 'available'
ERROR = 'error'

# The instance action of a memory dump and its events.
ACTION = 'memory_dump'
EVENT_MEMORY_DUMP = 'compute_memory_dump'
