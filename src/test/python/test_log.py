"""The harness's log line must never raise: a stop arrives while its parent may have closed the stderr pipe."""
import io
import os
import sys
import unittest

from mdharness import server


class ClosedPipe(io.TextIOBase):
    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")


class LogTest(unittest.TestCase):
    def test_a_closed_stderr_does_not_raise(self):
        saved = sys.stderr
        sys.stderr = ClosedPipe()
        try:
            server.log("stopped while loading the model")  # raised BrokenPipeError before the fix
        finally:
            sys.stderr = saved

    def test_a_line_names_the_pid(self):
        saved = sys.stderr
        sys.stderr = io.StringIO()
        try:
            server.log("hello")
            self.assertEqual(sys.stderr.getvalue(), "[model-deploy harness pid %d] hello\n" % os.getpid())
        finally:
            sys.stderr = saved


if __name__ == "__main__":
    unittest.main()
