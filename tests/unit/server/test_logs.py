"""crashdump_server.logs: records from any thread, written by one, in order,
with the context of the thread that logged them."""
import io
import logging
import os
import threading
import time

from oslo_context import context as oslo_context
import testtools

from crashdump_server import logs


class RequestIdFormatter(logging.Formatter):
    """'<request id> <message>', the request id found as oslo.log's
    formatter finds it: the record's context, else the thread's."""

    def format(self, record):
        context = record.__dict__.get('context', oslo_context.get_current())
        return '%s %s' % (context.request_id if context else '-',
                          record.getMessage())


class HandOffTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.logger = logging.getLogger('crashdump-test-logs-%s' % id(self))
        self.logger.propagate = False
        self.logger.setLevel(logging.DEBUG)
        self.stream = io.StringIO()
        handler = logging.StreamHandler(self.stream)
        handler.setFormatter(RequestIdFormatter())
        self.handler = handler
        self.logger.addHandler(handler)
        self.addCleanup(self._stop)
        # The context of this thread, as a request's would be.
        oslo_context.RequestContext(request_id='req-main')
        logs.hand_off(self.logger)

    def _stop(self):
        writer = logs._writers.pop(self.logger.name, None)
        if writer is not None:
            writer.stop()

    @property
    def writer(self):
        return logs._writers[self.logger.name]

    def lines(self):
        return self.stream.getvalue().splitlines()

    def test_handlers_move_behind_the_queue(self):
        [queue_handler] = self.logger.handlers
        self.assertIsInstance(queue_handler, logs._QueueHandler)
        self.assertEqual([self.handler], self.writer.handlers)
        # Again: nothing new to move, the same writer stays.
        writer = self.writer
        logs.hand_off(self.logger)
        self.assertIs(writer, self.writer)
        self.assertEqual(1, len(self.logger.handlers))

    def test_written_within_the_batch_time(self):
        self.logger.info('one')
        self.assertEqual([], self.lines())
        deadline = time.monotonic() + 5
        while not self.lines() and time.monotonic() < deadline:
            time.sleep(logs.BATCH_SECONDS / 4)
        self.assertEqual(['req-main one'], self.lines())

    def test_flush_writes_at_once(self):
        self.logger.info('now')
        logs.flush()
        self.assertEqual(['req-main now'], self.lines())

    def test_each_record_keeps_its_thread_s_context(self):
        def log_as(request_id, count):
            oslo_context.RequestContext(request_id=request_id)
            for number in range(count):
                self.logger.info('%s %d', request_id, number)

        threads = [threading.Thread(target=log_as, args=('req-%d' % n, 50))
                   for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        logs.flush()
        lines = self.lines()
        self.assertEqual(200, len(lines))
        for line in lines:
            request_id, logged_by, number = line.split()
            self.assertEqual(request_id, logged_by)
        for n in range(4):
            mine = [int(line.split()[2]) for line in lines
                    if line.startswith('req-%d ' % n)]
            self.assertEqual(list(range(50)), mine)

    def test_levels_of_the_handlers_hold(self):
        self.handler.setLevel(logging.WARNING)
        self.logger.info('quiet')
        self.logger.warning('loud')
        logs.flush()
        self.assertEqual(['req-main loud'], self.lines())

    def test_stop_writes_what_is_queued(self):
        self.logger.error('last words')
        self.writer.stop()
        self.assertEqual(['req-main last words'], self.lines())

    def test_a_failing_handler_does_not_stop_the_writer(self):
        class Broken(logging.Handler):
            def handle(self, record):
                raise RuntimeError('disk on fire')

        self.writer.handlers.insert(0, Broken())
        self.logger.info('lost')
        deadline = time.monotonic() + 5
        while self.writer.records and time.monotonic() < deadline:
            time.sleep(logs.BATCH_SECONDS / 4)
        del self.writer.handlers[0]
        self.logger.info('written')
        deadline = time.monotonic() + 5
        while not self.lines() and time.monotonic() < deadline:
            time.sleep(logs.BATCH_SECONDS / 4)
        self.assertEqual(['req-main written'], self.lines())

    def test_the_message_is_what_it_was_when_logged(self):
        state = ['booting']
        self.logger.info('state is %s', state)
        state[0] = 'changed'
        logs.flush()
        self.assertEqual(["req-main state is ['booting']"], self.lines())

    def test_a_forked_child_writes_its_own_lines_only(self):
        # As in a child forked without Python's fork hooks (uWSGI): the
        # writer belongs to another process, and the queue holds a line of
        # that parent, which the parent writes.
        self.writer.stop()
        self.writer._stopping = False
        self.writer.records.append(logging.makeLogRecord(
            {'msg': "the parent's", 'levelno': logging.INFO}))
        self.writer._pid = -1
        self.logger.info("the child's")
        self.assertEqual(os.getpid(), self.writer._pid)
        self.assertTrue(self.writer._thread.is_alive())
        deadline = time.monotonic() + 5
        while not self.lines() and time.monotonic() < deadline:
            time.sleep(logs.BATCH_SECONDS / 4)
        self.assertEqual(["req-main the child's"], self.lines())
