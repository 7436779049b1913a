#!/usr/bin/env python3
"""analysis/clocklab-analysis runs the commands from any directory without
PYTHONPATH: directly, through a symlink, and as installed by
``cmake --install`` (PREFIX/bin/clocklab-analysis).

Run:  PYTHONPATH=analysis /usr/bin/python3 -m unittest discover -s tests/analysis
"""

import os
import shutil
import subprocess
import tempfile
import unittest

import clocklab
import synthetic as syn
from helpers import ANALYSIS, VERSION_LINE as VERSION, run_command as run

SCRIPT = os.path.join(ANALYSIS, "clocklab-analysis")


class EntryScript(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def test_executable_with_python3_shebang(self):
        self.assertTrue(os.access(SCRIPT, os.X_OK))
        with open(SCRIPT) as fh:
            self.assertEqual(fh.readline(), "#!/usr/bin/python3\n")

    def test_version_from_another_directory(self):
        result = run(SCRIPT, "--version", cwd=self.dir)
        self.assertEqual((result.returncode, result.stdout), (0, VERSION), result.stderr)

    def test_plot_from_another_directory_and_through_a_symlink(self):
        syn.write_sync_file(os.path.join(self.dir, "x.h5"))
        link = os.path.join(self.dir, "bin", "clocklab-analysis")
        os.makedirs(os.path.dirname(link))
        os.symlink(SCRIPT, link)
        for command in (SCRIPT, link):
            out = os.path.join(self.dir, "figs-" + os.path.basename(os.path.dirname(command)))
            result = run(command, "plot", "x.h5", "-o", out, cwd=self.dir)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("x_run000_offset.png", os.listdir(out))
            self.assertIn("berkeley", result.stdout)

    def test_missing_file_exits_2_naming_it(self):
        result = run(SCRIPT, "summary", "nope.h5", cwd=self.dir)
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr, "clocklab summary: error: nope.h5: no such file\n")


def build_dir():
    """The build directory of CLOCKLAB_BINARY when it can be installed from."""
    binary = os.environ.get("CLOCKLAB_BINARY")
    where = os.path.dirname(binary) if binary else ""
    if where and os.path.exists(os.path.join(where, "cmake_install.cmake")) \
            and shutil.which("cmake"):
        return where
    return None


@unittest.skipIf(build_dir() is None, "no build directory (CLOCKLAB_BINARY) to install from")
class Installed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.prefix = os.path.join(cls.tmp.name, "prefix")
        subprocess.run(["cmake", "--install", build_dir(), "--prefix", cls.prefix],
                       check=True, capture_output=True, timeout=300)
        cls.script = os.path.join(cls.prefix, "bin", "clocklab-analysis")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_installed_script_runs_from_root_with_the_installed_package(self):
        result = run(self.script, "--version", cwd="/")
        self.assertEqual((result.returncode, result.stdout), (0, VERSION), result.stderr)
        package = os.path.join(self.prefix, "share", "clocklab", "analysis", "clocklab")
        self.assertTrue(os.path.isfile(os.path.join(package, "__init__.py")))
        path = os.path.join(self.tmp.name, "x.h5")
        syn.write_sync_file(path)
        result = run(self.script, "summary", path, cwd="/")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("berkeley", result.stdout)
        # the installed copy, not the source tree, is what runs: mark it
        with open(os.path.join(package, "__init__.py"), "a") as fh:
            fh.write('\n__version__ += "+installed"\n')
        result = run(self.script, "--version", cwd="/")
        self.assertIn(f"{clocklab.__version__}+installed", result.stdout)


if __name__ == "__main__":
    unittest.main()
