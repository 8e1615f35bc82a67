"""The R runtime's glue (issue #15, items 2 and 8): model code that would end the worker or send a non-finite number
gets an R error (the harness answers 500) and the worker lives on. Each case runs in its own interpreter, because a
case that kills the process (SIGSEGV before the fix) must not take the other cases with it, and R starts once per
process."""
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

MODEL = textwrap.dedent('''
    predict <- function(df) {
      x <- df[[1]][1]
      if (x == 1) quit(save = "no", status = 3)
      if (x == 2) return(list(NaN))
      if (x == 3) return(data.frame(a = c(1, Inf)))
      if (x == 4) { f <- function(n) tryCatch(f(n + 1), warning = function(w) NULL); return(f(0)) }
      if (x == 5) return(list(NA))
      as.list(rep(1, nrow(df)))
    }
''')

CASE = textwrap.dedent('''
    import json, sys
    from mdharness import runtimes
    runtime = runtimes.RRuntime(sys.argv[1], "model.R:predict", None)
    runtime.load()
    try:
        print("ANSWER " + json.dumps(runtimes._from_r(runtime._invoke(json.dumps([[float(sys.argv[2])]])))))
    except Exception as e:
        print("ERROR " + str(e).strip().splitlines()[-1])
    print("ALIVE " + json.dumps(runtimes._from_r(runtime._invoke("[[0]]"))))
''')


class RRuntimeGlueTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        with open(os.path.join(cls.dir.name, "model.R"), "w") as f:
            f.write(MODEL)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def run_case(self, value):
        process = subprocess.run([sys.executable, "-c", CASE, self.dir.name, str(value)], capture_output=True,
                                 text=True, timeout=120, env=dict(os.environ))
        self.assertEqual(process.returncode, 0, "the worker died: %s" % process.stderr[-2000:])
        return process.stdout

    def test_quit_in_model_code_is_an_error_not_the_end_of_the_worker(self):
        out = self.run_case(1)
        self.assertIn("ERROR", out)
        self.assertIn("quit()", out)
        self.assertIn("ALIVE [[1]]", out)

    def test_a_non_finite_number_in_a_list_or_data_frame_is_an_error(self):
        for value in (2, 3):
            out = self.run_case(value)
            self.assertIn("non-finite model output", out, value)
            self.assertIn("ALIVE [[1]]", out)

    def test_infinite_recursion_is_an_error_not_a_segfault(self):
        # each level through tryCatch takes more C stack than R's expression limit allows for: without R's C stack
        # check (rpy2 turns it off) the worker died with SIGSEGV
        out = self.run_case(4)
        self.assertIn("ERROR", out)
        self.assertIn("ALIVE [[1]]", out)

    def test_na_stays_a_missing_value(self):
        self.assertIn("ANSWER [[null]]", self.run_case(5))


if __name__ == "__main__":
    unittest.main()
