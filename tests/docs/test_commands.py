"""Every command that README.md and docs/*.md mark with the line
``<!-- commands -->`` runs as written. The marked block is the indented
block that follows the marker; each command (a line, with ``\\``
continuations) runs with bash in a scratch directory that holds links to the
repository's build/, experiments/, analysis/, slurm/ and scripts/, so what a
command writes lands in the scratch directory, one after another as a
reader would type them. A command that exits non-zero fails the test, with
its output.
"""
import glob
import os
import shutil
import subprocess
import tempfile
import unittest

SOURCE = os.environ.get("CLOCKLAB_SOURCE",
                        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD = os.path.dirname(os.path.abspath(os.environ.get(
    "CLOCKLAB_BINARY", os.path.join(SOURCE, "build", "clocklab"))))
MARKER = "<!-- commands -->"


def marked_blocks(path):
    """[(line number, [command, ...]), ...] of the marked blocks of a Markdown file."""
    with open(path) as f:
        lines = f.read().splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != MARKER:
            i += 1
            continue
        start = i + 1
        i += 1
        while i < len(lines) and not lines[i].strip():
            i += 1
        commands, current = [], ""
        while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
            text = lines[i][4:]
            i += 1
            if not text.strip():
                continue
            current += text.strip() if current else text.rstrip()
            if current.endswith("\\"):
                current = current[:-1] + " "
                continue
            commands.append(current.strip())
            current = ""
        blocks.append((start, commands))
    return blocks


def environment():
    env = dict(os.environ)
    env.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")
    env.setdefault("OMPI_MCA_btl", "self,vader")
    if os.geteuid() == 0:
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    env.pop("PYTHONPATH", None)  # the commands say what they need
    return env


class DocumentedCommands(unittest.TestCase):
    def test_marked_commands_run_as_written(self):
        files = [os.path.join(SOURCE, "README.md")] + sorted(
            glob.glob(os.path.join(SOURCE, "docs", "*.md")))
        blocks = [(path, line, cmds) for path in files for line, cmds in marked_blocks(path)]
        self.assertTrue(blocks, "no block is marked with %s" % MARKER)
        env = environment()
        for path, line, commands in blocks:
            where = "%s:%d" % (os.path.relpath(path, SOURCE), line)
            self.assertTrue(commands, where + ": a marker with no commands after it")
            scratch = tempfile.mkdtemp(prefix="clocklab-docs-")
            try:
                os.symlink(BUILD, os.path.join(scratch, "build"))
                for name in ("experiments", "analysis", "slurm", "scripts"):
                    os.symlink(os.path.join(SOURCE, name), os.path.join(scratch, name))
                for command in commands:
                    with self.subTest(where=where, command=command):
                        proc = subprocess.run(["bash", "-c", command], cwd=scratch, env=env,
                                              capture_output=True, text=True, timeout=600)
                        self.assertEqual(proc.returncode, 0, "%s: %s\n%s%s" % (
                            where, command, proc.stdout[-2000:], proc.stderr[-3000:]))
            finally:
                shutil.rmtree(scratch, ignore_errors=True)


class TheParser(unittest.TestCase):
    def test_blocks_and_continuations(self):
        with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as f:
            f.write("text\n\n" + MARKER + "\n\n    echo one   # a comment\n"
                    "    echo two \\\n        three\n\nafter\n\n    not marked\n")
        try:
            self.assertEqual(marked_blocks(f.name),
                             [(3, ["echo one   # a comment", "echo two  three"])])
        finally:
            os.unlink(f.name)


if __name__ == "__main__":
    unittest.main()
