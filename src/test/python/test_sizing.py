"""Unit tests of how many workers `workers: auto` means (mdharness/sizing.py), on fake cgroup trees.

Run by HarnessPythonTest (bin/test), or by hand:
  PYTHONPATH=src/main/resources/harness/python python3 -m unittest discover -s src/test/python
"""
import os
import tempfile
import unittest

from mdharness import sizing
from mdharness.server import WorkerPlan

MI = 1 << 20


class FakeRoot:
    """A file-system root holding proc/self/cgroup and files under sys/fs/cgroup."""

    def __init__(self, proc_cgroup, files):
        self._dir = tempfile.TemporaryDirectory()
        self.path = self._dir.name
        self.write("proc/self/cgroup", proc_cgroup)
        for name, content in files.items():
            self.write("sys/fs/cgroup/" + name, content)

    def write(self, name, content):
        path = os.path.join(self.path, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(content + "\n")

    def close(self):
        self._dir.cleanup()


V1_CGROUPS = "4:memory:/kubepods/pod1/c1\n2:cpu,cpuacct:/kubepods/pod1/c1\n0::/kubepods/pod1/c1\n"


class CgroupLimitsTest(unittest.TestCase):
    def root(self, proc_cgroup, files):
        root = FakeRoot(proc_cgroup, files)
        self.addCleanup(root.close)
        return root.path

    def test_cgroup_v2_cpu_max_and_memory_max_in_a_container_namespace(self):
        root = self.root("0::/\n", {"cpu.max": "150000 100000", "memory.max": str(512 * MI)})
        self.assertEqual(sizing.cpu_limit(root), 1.5)
        self.assertEqual(sizing.memory_limit(root), 512 * MI)

    def test_cgroup_v2_without_limits(self):
        root = self.root("0::/\n", {"cpu.max": "max 100000", "memory.max": "max"})
        self.assertIsNone(sizing.cpu_limit(root))
        self.assertIsNone(sizing.memory_limit(root))

    def test_cgroup_v2_nested_path_takes_the_tightest_limit_up_the_tree(self):
        root = self.root("0::/pod/ctr\n", {"pod/cpu.max": "200000 100000", "pod/ctr/cpu.max": "max 100000",
                                          "pod/memory.max": str(256 * MI), "pod/ctr/memory.max": str(1024 * MI)})
        self.assertEqual(sizing.cpu_limit(root), 2.0)
        self.assertEqual(sizing.memory_limit(root), 256 * MI)

    def test_cgroup_v1_quota_and_period(self):
        root = self.root(V1_CGROUPS, {
            "cpu,cpuacct/kubepods/pod1/c1/cpu.cfs_quota_us": "50000",
            "cpu,cpuacct/kubepods/pod1/c1/cpu.cfs_period_us": "100000",
            "memory/kubepods/pod1/c1/memory.limit_in_bytes": str(300 * MI)})
        self.assertEqual(sizing.cpu_limit(root), 0.5)
        self.assertEqual(sizing.memory_limit(root), 300 * MI)

    def test_cgroup_v1_container_mounted_at_the_hierarchy_root_as_podman_does(self):
        # /proc shows the host's path, which does not exist under the container's mount: the mount is the cgroup.
        root = self.root("4:memory:/libpod_parent/libpod-1\n1:cpu:/libpod_parent/libpod-1\n0::/libpod_parent/x\n", {
            "cpu/cpu.cfs_quota_us": "150000", "cpu/cpu.cfs_period_us": "100000",
            "memory/memory.limit_in_bytes": str(512 * MI)})
        self.assertEqual(sizing.cpu_limit(root), 1.5)
        self.assertEqual(sizing.memory_limit(root), 512 * MI)

    def test_cgroup_v1_unlimited_values(self):
        root = self.root("4:memory:/\n1:cpu:/\n", {
            "cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000",
            "memory/memory.limit_in_bytes": "9223372036854771712"})
        self.assertIsNone(sizing.cpu_limit(root))
        self.assertIsNone(sizing.memory_limit(root))

    def test_no_cgroup_files_at_all(self):
        root = self.root("", {})
        self.assertIsNone(sizing.cpu_limit(root))
        self.assertIsNone(sizing.memory_limit(root))


class CpuRuleTest(unittest.TestCase):
    def test_the_cpu_limit_rounded_up(self):
        self.assertEqual(sizing.cpu_workers(1.5, 250, 64), (2, "cpu limit 1.5 cores"))
        self.assertEqual(sizing.cpu_workers(0.5, None, 64)[0], 1)
        self.assertEqual(sizing.cpu_workers(2.0, None, 64)[0], 2)

    def test_the_limit_wins_over_the_request(self):
        self.assertEqual(sizing.cpu_workers(3.0, 250, 64)[0], 3)

    def test_the_request_rounded_up_without_a_limit(self):
        self.assertEqual(sizing.cpu_workers(None, 250, 64), (1, "cpu request 250m, no cpu limit"))
        self.assertEqual(sizing.cpu_workers(None, 1500, 64)[0], 2)
        self.assertEqual(sizing.cpu_workers(None, 1, 64)[0], 1)

    def test_one_per_usable_core_up_to_the_cap_without_limit_or_request(self):
        self.assertEqual(sizing.cpu_workers(None, None, 64)[0], sizing.DEFAULT_CAP)
        self.assertEqual(sizing.cpu_workers(None, None, 2)[0], 2)
        self.assertEqual(sizing.cpu_workers(None, None, 1)[0], 1)

    def test_never_more_than_the_usable_cores(self):
        self.assertEqual(sizing.cpu_workers(8.0, None, 2),
                         (2, "cpu limit 8 cores; 2 usable core(s)"))

    def test_the_request_variable_must_be_positive_millicores(self):
        self.assertEqual(sizing.cpu_request_millis({sizing.CPU_REQUEST_ENV: "250"}), 250)
        self.assertIsNone(sizing.cpu_request_millis({}))
        self.assertIsNone(sizing.cpu_request_millis({sizing.CPU_REQUEST_ENV: " "}))
        for bad in ("0.25", "250m", "-1", "0"):
            with self.assertRaisesRegex(ValueError, "MODEL_DEPLOY_CPU_REQUEST_MILLIS must be a positive integer"):
                sizing.cpu_request_millis({sizing.CPU_REQUEST_ENV: bad})


class MemoryFitTest(unittest.TestCase):
    def test_without_a_memory_limit_the_cpu_count_stands(self):
        self.assertEqual(sizing.fit_memory(3, None, 50 * MI, 40 * MI, "x"), (3, "no memory limit"))

    def test_the_limit_holds_the_shared_pages_once_and_each_worker_its_private_ones(self):
        # 80% of 512Mi = 409.6Mi; minus 60Mi shared leaves 349.6Mi: three workers of 100Mi.
        count, reason = sizing.fit_memory(4, 512 * MI, 60 * MI, 100 * MI, "measured after the load")
        self.assertEqual(count, 3)
        self.assertEqual(reason, "memory limit 512Mi allows 3 (80% of it, 60Mi shared, 100Mi per worker measured "
                                 "after the load)")

    def test_the_memory_fit_only_lowers_the_cpu_count(self):
        self.assertEqual(sizing.fit_memory(2, 512 * MI, 20 * MI, 10 * MI, "x")[0], 2)

    def test_never_fewer_than_one(self):
        self.assertEqual(sizing.fit_memory(4, 128 * MI, 200 * MI, 200 * MI, "x")[0], 1)

    def test_quantities(self):
        self.assertEqual(sizing.parse_quantity("300Mi"), 300 * MI)
        self.assertEqual(sizing.parse_quantity("1G"), 10 ** 9)
        self.assertEqual(sizing.parse_quantity("1048576"), MI)
        self.assertEqual(sizing.worker_memory_override({sizing.WORKER_MEMORY_ENV: "1.5Gi"}), 1536 * MI)
        with self.assertRaisesRegex(ValueError, "MODEL_DEPLOY_WORKER_MEMORY must be a memory quantity"):
            sizing.worker_memory_override({sizing.WORKER_MEMORY_ENV: "lots"})

    def test_resident_memory_reads_anonymous_and_file_backed_pages(self):
        with tempfile.NamedTemporaryFile("w", suffix="status") as f:
            f.write("Name:\tpython3\nVmRSS:\t   30000 kB\nRssAnon:\t   20000 kB\nRssFile:\t    9000 kB\n"
                    "RssShmem:\t    1000 kB\n")
            f.flush()
            self.assertEqual(sizing.resident_memory(f.name), (20000 * 1024, 10000 * 1024))
        anon, file_backed = sizing.resident_memory()
        self.assertGreater(anon, 0)
        self.assertGreater(file_backed, 0)


class WorkerPlanTest(unittest.TestCase):
    def root(self, files):
        root = FakeRoot("0::/\n", files)
        self.addCleanup(root.close)
        return root.path

    def test_auto_in_a_pod_with_limits(self):
        plan = WorkerPlan.decide("auto", {}, self.root({"cpu.max": "150000 100000", "memory.max": str(512 * MI)}))
        expected_cpu = min(2, len(os.sched_getaffinity(0)))
        self.assertEqual(plan.count, expected_cpu)
        count, rule = plan.fitted(30 * MI, 20 * MI, "measured after the load")
        self.assertEqual(count, expected_cpu)
        self.assertTrue(rule.startswith("cpu limit 1.5 cores"), rule)
        self.assertIn("memory limit 512Mi allows 18", rule)

    def test_auto_with_only_a_cpu_request_is_one_worker_for_250m(self):
        plan = WorkerPlan.decide("auto", {sizing.CPU_REQUEST_ENV: "250"}, self.root({"cpu.max": "max 100000"}))
        self.assertEqual((plan.count, plan.reason), (1, "cpu request 250m, no cpu limit"))

    def test_auto_fitted_to_a_small_memory_limit(self):
        plan = WorkerPlan.decide("auto", {sizing.CPU_REQUEST_ENV: "4000"}, self.root({"memory.max": str(512 * MI)}))
        count, rule = plan.fitted(220 * MI, 200 * MI, "measured after the load")
        self.assertEqual(count, 1)
        self.assertIn("memory limit 512Mi allows 1", rule)

    def test_the_per_worker_memory_can_be_declared(self):
        plan = WorkerPlan.decide("auto", {sizing.CPU_REQUEST_ENV: "4000", sizing.WORKER_MEMORY_ENV: "300Mi"},
                                 self.root({"memory.max": str(1024 * MI)}))
        count, rule = plan.fitted(10 * MI, 5 * MI, "measured after the load")
        self.assertEqual(count, min(2, len(os.sched_getaffinity(0))))
        self.assertIn("300Mi per worker from MODEL_DEPLOY_WORKER_MEMORY", rule)

    def test_an_explicit_count_is_kept_as_set(self):
        plan = WorkerPlan.decide("3", {sizing.CPU_REQUEST_ENV: "250"}, self.root({"memory.max": str(64 * MI)}))
        self.assertEqual(plan.fitted(500 * MI, 500 * MI, "x"), (3, "set by --workers or serving.workers"))


if __name__ == "__main__":
    unittest.main()
