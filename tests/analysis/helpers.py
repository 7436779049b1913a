"""Running clocklab's analysis commands from the tests, the ways a user does.

The tests import the package ``clocklab`` from analysis/ as a user does:
with PYTHONPATH=analysis (ctest sets it), e.g.

    PYTHONPATH=analysis /usr/bin/python3 -m unittest discover -s tests/analysis

- :func:`run_cli`: ``python3 -m clocklab ARGS`` in this process (fast: the
  plotting libraries are imported once);
- :func:`run_module`: the same as a separate process;
- :func:`run_script`: a former script name in analysis/ (a thin wrapper),
  as a separate process without PYTHONPATH: it finds the package beside it;
- :func:`run_command`: any command line, without PYTHONPATH.
"""

import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from types import SimpleNamespace

import clocklab
from clocklab import cli, schema

#: analysis/, where the package was imported from.
ANALYSIS = os.path.dirname(os.path.dirname(os.path.abspath(clocklab.__file__)))
SOURCE = os.path.dirname(ANALYSIS)
#: What ``--version`` prints.
VERSION_LINE = f"clocklab analysis {clocklab.__version__} (reads schema {schema.SCHEMA})\n"


def run_cli(*args, cwd=None):
    """``python3 -m clocklab ARGS`` in this process: returncode, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = cli.main([str(a) for a in args])
            except SystemExit as exc:  # argparse: --help (0), usage errors (2)
                code = exc.code
    finally:
        os.chdir(here)
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def run_module(*args, cwd=None):
    """``python3 -m clocklab ARGS`` as a separate process (PYTHONPATH = analysis/)."""
    env = dict(os.environ, PYTHONPATH=ANALYSIS)
    return subprocess.run([sys.executable, "-m", "clocklab", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def run_command(command, *args, cwd=None):
    """``COMMAND ARGS`` as a separate process, without PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([command, *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def run_script(name, *args, cwd=None):
    """``python3 analysis/NAME ARGS`` as a separate process, without PYTHONPATH."""
    return run_command(sys.executable, os.path.join(ANALYSIS, name), *args, cwd=cwd)
