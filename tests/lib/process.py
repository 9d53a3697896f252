"""Processes and waiting, for every test and benchmark that starts things.

- :func:`die_with_parent`: a test process does not outlive the test run.
- :func:`stop_process`: SIGTERM, then SIGKILL.
- :func:`run_script`: one of the project's shell scripts under
  ``tools/realparts``, its output or an error that carries everything it
  printed.
- :func:`wait_for`: the one polling loop with a deadline.
"""
import ctypes
import os
import signal
import subprocess
import time

_PR_SET_PDEATHSIG = 1

#: tools/realparts, where the scripts that stand up the real parts live.
REALPARTS = os.path.abspath(os.path.join(
    os.path.dirname(__file__), '..', '..', 'tools', 'realparts'))


def die_with_parent():
    """preexec_fn for test processes: a test runner killed mid-run must not
    leave them behind. Linux sends the signal when the *thread* that
    started the child ends: start processes from a thread that lives as
    long as they should."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG,
                                            signal.SIGTERM)


def stop_process(process, timeout=15):
    """SIGTERM, then SIGKILL after ``timeout`` s; returns the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def run_script(path, *args, timeout=600, error=AssertionError):
    """Run the shell script at ``path`` with ``args``; its stdout.

    :param path: the script, relative to :data:`REALPARTS` or absolute.
    :param error: the exception class to raise, with the command and all
        it printed, when the script fails or takes over ``timeout`` s.
    """
    argv = ['bash', os.path.join(REALPARTS, path)] + [str(a) for a in args]
    try:
        result = subprocess.run(argv, capture_output=True, text=True,
                                timeout=timeout)
    except subprocess.TimeoutExpired:
        raise error('%s took over %s s' % (' '.join(argv), timeout))
    if result.returncode:
        raise error('%s failed (exit %s):\n%s%s' % (
            ' '.join(argv), result.returncode, result.stdout,
            result.stderr))
    return result.stdout


def wait_for(predicate, timeout, what, interval=0.1, error=AssertionError):
    """Call ``predicate`` until it returns a true value; return that value.

    :param timeout: seconds before giving up.
    :param what: what is awaited, for the failure message; a callable is
        called at the failure, so the message can show the last state.
    :param error: the exception class raised after ``timeout`` seconds
        (``predicate`` is called once more at the deadline).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise error('%s: not within %s s' % (
                what() if callable(what) else what, timeout))
        time.sleep(interval)
