"""CPU time of groups of processes and of the whole machine, from /proc.

A group is a name and a test of a process: :func:`tree` (a process and
its descendants), :func:`named` (by command name, e.g. ``postgres``) or
:func:`exactly` (one pid, not its children). Each process counts in the
first group it matches. :class:`Meter` takes a snapshot of every process
(/proc/<pid>/stat: the CPU time of all its threads and of the children it
has waited for) and of /proc/stat, then gives each group's CPU seconds
since. A process that ended meanwhile counts through its parent when the
parent is in its group (a PostgreSQL backend through the postmaster, a
gunicorn worker through the master); otherwise its CPU time is missed.
"""
import os

_TICK = os.sysconf('SC_CLK_TCK')


def processes():
    """{pid: (ppid, command name, start time, CPU seconds)}, every
    process now; its CPU seconds include its waited-for children's."""
    table = {}
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % name) as stream:
                stat = stream.read()
        except OSError:
            continue  # it ended meanwhile
        comm, _, rest = stat.partition(' (')[2].rpartition(') ')
        # stat(5) fields 4 ppid, 14-17 utime stime cutime cstime,
        # 22 starttime
        fields = rest.split()
        table[int(name)] = (int(fields[1]), comm, int(fields[19]),
                            sum(int(f) for f in fields[11:15]) / _TICK)
    return table


def machine():
    """(all, idle, steal) CPU seconds of every core since boot; idle
    includes iowait."""
    with open('/proc/stat') as stream:
        # cpu user nice system idle iowait irq softirq steal guest ...
        ticks = [int(t) for t in stream.readline().split()[1:9]]
    return (sum(ticks) / _TICK, (ticks[3] + ticks[4]) / _TICK,
            ticks[7] / _TICK)


def tree(root):
    """The process ``root`` and its descendants."""
    def test(pid, table):
        while pid in table:
            if pid == root:
                return True
            pid = table[pid][0]
        return False
    return test


def named(*commands):
    """Processes whose command name (/proc/<pid>/comm) is one of these."""
    return lambda pid, table: table[pid][1] in commands


def exactly(process):
    return lambda pid, table: pid == process


class Meter:
    """CPU seconds per group from ``start()`` to each ``read()``.

    ``groups`` is a list of (name, test) pairs."""

    def __init__(self, groups):
        self.groups = groups

    def _group(self, pid, table):
        return next((n for n, test in self.groups if test(pid, table)),
                    None)

    def start(self):
        self.before, self.machine_before = processes(), machine()
        return self

    def read(self):
        """{group: CPU seconds}, and ``machine``: the busy CPU seconds of
        all cores, ``busy_pct`` and ``steal_pct``: their share of the
        cores' time."""
        before, after = self.before, processes()
        cpu = dict.fromkeys([name for name, _ in self.groups], 0.0)
        for pid, (_ppid, _comm, started, seconds) in after.items():
            name = self._group(pid, after)
            if name is not None:
                prior = before.get(pid)
                same = prior is not None and prior[2] == started
                cpu[name] += seconds - (prior[3] if same else 0.0)
        for pid, (ppid, _comm, started, seconds) in before.items():
            if pid in after and after[pid][2] == started:
                continue
            # It ended: its parent's count took all its CPU time, when
            # the parent is in its group; what came before is not ours.
            name = self._group(pid, before)
            if name is not None and ppid in after and \
                    self._group(ppid, after) == name:
                cpu[name] -= seconds
        total, idle, steal = (b - a for a, b in zip(self.machine_before,
                                                    machine()))
        cpu['machine'] = total - idle
        cpu['busy_pct'] = 100.0 * (total - idle) / total if total else 0.0
        cpu['steal_pct'] = 100.0 * steal / total if total else 0.0
        return cpu
