"""The guest's console after a delivered crash dump: the proof it panicked.

With ``--wait --console-lines N`` both CLIs read, for each server whose NMI
was delivered, the last N lines of its console through the compute API's
``os-getConsoleOutput`` action (novaclient's
``servers.get_console_output``) and print them under the result, so the
user sees "Kernel panic - not syncing: NMI: Not continuing". A console that
cannot be read is one sentence, never a failure of the command: the crash
dump itself was delivered.

The event says the NMI was delivered, not that the guest has finished
writing its panic, which takes the guest some milliseconds more; so the
console is read again for a few seconds until a panic line shows up, and
then shown as it is.
"""

import argparse
import re
import time

from keystoneauth1 import exceptions as ksa_exceptions
from novaclient import exceptions

#: How long to keep reading a console for a panic line to appear.
SETTLE_SECONDS = 3.0
#: Seconds between two reads of a console while waiting for the panic.
SETTLE_INTERVAL = 0.25
#: What a Linux guest prints when the NMI made it panic.
PANIC_MARKER = "Kernel panic"

# Guest output goes to the user's terminal: control characters (escape
# sequences among them, C1 included) must not reach it. Tab and newline stay.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_NO_PANIC_HINT = ("No kernel panic line yet: a Linux guest panics on an "
                  "injected NMI only with kernel.unknown_nmi_panic=1 (or "
                  "kernel.panic_on_unrecovered_nmi=1).")


def positive_lines(text):
    """argparse type of ``--console-lines``: an int of at least 1.

    :raises argparse.ArgumentTypeError: for anything else.
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            "%r is not a whole number of lines, 1 or more" % text)
    return value


def check_options(wait, console_lines):
    """Refuse ``--console-lines`` without ``--wait``, before anything is sent.

    :raises novaclient.exceptions.CommandError: with the sentence to print.
    """
    if console_lines and not wait:
        raise exceptions.CommandError(
            "--console-lines needs --wait: the console is read once the "
            "crash dump has been delivered.")


class ConsoleTail(object):
    """The last lines of one server's console, or why there are none.

    :ivar lines: the lines (without line ends), or ``None`` when the
        console could not be read.
    :ivar note: one sentence for the user: why there are no lines, or a
        hint when the lines hold no panic; else ``None``.
    """

    def __init__(self, lines=None, note=None):
        self.lines = lines
        self.note = note

    @property
    def shows_panic(self):
        return bool(self.lines) and any(PANIC_MARKER in line
                                        for line in self.lines)

    def text(self):
        """The lines and the note, one per line, as a column shows them."""
        parts = list(self.lines or [])
        if self.note:
            parts.append(self.note)
        return "\n".join(parts)


def _last_lines(output, count):
    lines = _CONTROL_CHARACTERS.sub("", output).splitlines()
    return lines[-count:]


def _unavailable(server, error):
    """The one sentence for a console that could not be read."""
    code = getattr(error, "code", None)
    if code == 404:
        why = getattr(error, "message", None) or "not found"
    elif code == 501:
        why = "its compute driver cannot read guest consoles"
    elif code == 403:
        why = ("the policy os_compute_api:os-console-output does not allow "
               "you to read it")
    else:
        why = "reading it failed: %s" % error
    return "Console output of server %s is not available: %s" % (
        server.name, why.rstrip("."))


def read_console_tail(compute, server, count, settle=None,
                      interval=None):
    """Read the last ``count`` lines of a server's console.

    Reads again, up to ``settle`` seconds, until a panic line appears;
    then, or when none has appeared, returns what the console shows.

    :param compute: a novaclient v2 ``Client``.
    :param server: the novaclient ``Server``.
    :param count: how many lines (at least 1).
    :param settle: seconds to wait for a panic line (default
        :data:`SETTLE_SECONDS`); :param interval: between two reads
        (default :data:`SETTLE_INTERVAL`).
    :returns: a :class:`ConsoleTail`; nothing is raised for a console that
        is missing, refused or unreadable: the tail's note says why.
    """
    settle = SETTLE_SECONDS if settle is None else settle
    interval = SETTLE_INTERVAL if interval is None else interval
    deadline = time.monotonic() + settle
    while True:
        try:
            output = compute.servers.get_console_output(server, count)
        except (exceptions.ClientException,
                ksa_exceptions.ClientException) as error:
            return ConsoleTail(note=_unavailable(server, error))
        tail = ConsoleTail(_last_lines(output or "", count))
        remaining = deadline - time.monotonic()
        if tail.shows_panic or remaining <= 0:
            break
        time.sleep(min(interval, remaining))
    if not tail.shows_panic:
        tail.note = _NO_PANIC_HINT
    return tail


def console_block(name, server_id, tail):
    """What the CLIs print under a server's result.

    :param name: the server's name; :param server_id: its id.
    :param tail: its :class:`ConsoleTail`.
    :returns: the lines to print: a heading and the console's lines
        indented, or the one sentence that says why there are none.
    """
    if tail.lines is None:
        return [tail.note]
    if not tail.lines:
        return ["Console of server %s (%s) is empty." % (name, server_id),
                tail.note]
    heading = "Console of server %s (%s), last %d line(s):" % (
        name, server_id, len(tail.lines))
    block = [heading] + ["    " + line for line in tail.lines]
    if tail.note:
        block.append(tail.note)
    return block


def result_block(result):
    """The console lines both CLIs print under one server's result.

    :param result: a :class:`crashdump_client.bulk.ServerResult`.
    :returns: the lines of :func:`console_block`, or [] when its console
        was not read.
    """
    if result.console is None:
        return []
    return console_block(result.server.name, result.server.id,
                         result.console)
