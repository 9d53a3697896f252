"""Host-side memory dumps of libvirt domains.

``virDomainCoreDumpWithFormat(path, format, VIR_DUMP_MEMORY_ONLY)`` makes
QEMU write the guest's memory and every vCPU's registers (one NT_PRSTATUS
note each) while the guest keeps running. The call blocks until the file is
complete, so it runs in a thread of its own while this one reads libvirt's
job information for progress and aborts the job when asked to.
"""
import threading

from crashdump_server.compute import dump_formats
from crashdump_server import exception
from crashdump_server.virt.libvirt import connection as libvirt_connection

libvirt = libvirt_connection.libvirt

#: Seconds between two reads of the job information.
POLL_INTERVAL = 0.5


def libvirt_format(dump_format):
    """libvirt's VIR_DOMAIN_CORE_DUMP_FORMAT_* for one of ours."""
    names = {dump_formats.ELF: 'RAW',
             dump_formats.KDUMP_ZLIB: 'KDUMP_ZLIB',
             dump_formats.KDUMP_LZO: 'KDUMP_LZO',
             dump_formats.KDUMP_SNAPPY: 'KDUMP_SNAPPY',
             dump_formats.WIN_DMP: 'WIN_DMP'}
    value = getattr(libvirt, 'VIR_DOMAIN_CORE_DUMP_FORMAT_%s'
                    % names.get(dump_format, '?'), None)
    if value is None:
        raise exception.MemoryDumpNotSupported(
            reason='this libvirt binding has no %s format' % dump_format)
    return value


def job_percent(dom):
    """How far the domain's current job is, 0-100, or None if unknown."""
    try:
        stats = dom.jobStats()
    except libvirt.libvirtError:
        return None
    for total, done in (('memory_total', 'memory_processed'),
                        ('data_total', 'data_processed')):
        if stats.get(total):
            return min(100, int(100 * stats.get(done, 0) / stats[total]))
    return None


def abort_dump_job(dom):
    """Abort ``dom``'s job if it is a dump; True if one was aborted."""
    operation = getattr(libvirt, 'VIR_DOMAIN_JOB_OPERATION_DUMP', None)
    try:
        if dom.jobStats().get('operation') != operation:
            return False
        dom.abortJob()
    except libvirt.libvirtError:
        return False
    return True


def dump(dom, path, dump_format, progress=None, abort=None):
    """Dump ``dom``'s memory to ``path``; see ComputeDriver.dump_memory.

    Raises libvirtError as libvirt raised it (the driver maps it) and
    MemoryDumpAborted when ``abort`` was set and the job stopped.
    """
    flags = libvirt_format(dump_format)
    failure = []

    def run():
        try:
            dom.coreDumpWithFormat(path, flags, libvirt.VIR_DUMP_MEMORY_ONLY)
        except libvirt.libvirtError as exc:
            failure.append(exc)

    worker = threading.Thread(target=run, name='libvirt-memory-dump',
                              daemon=True)
    worker.start()
    aborted = False
    while True:
        worker.join(POLL_INTERVAL)
        if not worker.is_alive():
            break
        if abort is not None and abort.is_set():
            if not aborted:
                aborted = True
                try:
                    dom.abortJob()
                except libvirt.libvirtError:
                    pass  # finished meanwhile, or not abortable yet
            continue
        if progress is not None:
            percent = job_percent(dom)
            if percent is not None:
                progress(percent)
    if aborted:
        raise exception.MemoryDumpAborted(
            reason='it was deleted while being created')
    if failure:
        raise failure[0]
