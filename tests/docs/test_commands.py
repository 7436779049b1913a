"""Every command that README.md and docs/**/*.md show is a test.

A code block (fenced with ``` or ~~~, or indented by four spaces) whose first
word looks like a command (mpirun, build/clocklab, bash, python3, cat,
sbatch, a VAR=value assignment, a path under build/, analysis/, scripts/,
...) needs a marker on the last non-blank line before it:

    <!-- commands -->          the block runs as written
    <!-- not run: REASON -->   the block is shown only (a Slurm cluster, hours, 1024 ranks, ...)

An unmarked command block fails the test, naming file:line. Blocks whose
first word is no command (INI text, output, error messages, Python) need no
marker.

Each page runs in a scratch directory of its own that holds links to the
repository's build/, experiments/, analysis/, slurm/ and scripts/, so what a
command writes lands there; the page's marked blocks run one after another,
as a reader would type them, each block as one bash script under ``set -e``
(heredocs work). A failing command fails the test with file:line of the
command and its output.

CLOCKLAB_DOCS_FILES (paths relative to the source, space separated) limits
the run to some pages; the check for unmarked blocks always covers all.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

SOURCE = os.environ.get("CLOCKLAB_SOURCE",
                        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD = os.path.dirname(os.path.abspath(os.environ.get(
    "CLOCKLAB_BINARY", os.path.join(SOURCE, "build", "clocklab"))))
LINKED = ("experiments", "analysis", "slurm", "scripts")

RUN = "commands"
NOT_RUN = "not run"
MARKER_RE = re.compile(r"^<!--\s*(commands|not run:\s*(?P<reason>.*?))\s*-->\s*$")

COMMAND_WORDS = {
    "mpirun", "mpiexec", "srun", "sbatch", "salloc", "scancel", "squeue", "sinfo",
    "bash", "sh", "python", "python3", "cat", "h5dump", "h5ls", "h5diff", "cmake",
    "ctest", "make", "git", "export", "cd", "timeout", "sudo", "apt-get", "apt", "kill",
    "ls", "rm", "cp", "mv", "mkdir", "env", "nice", "echo", "pip", "pip3", "clocklab",
    "clocklab-analysis", "for", "while", "if", "source", "test", "diff", "grep", "head",
    "tail", "sed", "awk", "xargs", "perf", "valgrind", "gdb",
}
ASSIGNMENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
PATH_RE = re.compile(
    r"^(\.{1,2}/|/|~/|(build|build-[\w-]+|analysis|scripts|slurm|tests|experiments)/)"
    r"[\w./+-]*[\w+-]$")
FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


class Block:
    """A code block of a Markdown file: ``line`` is the line of its fence (or
    of its first line when indented), ``lines`` its text as [(line, text)]."""

    def __init__(self, path, line, lines, marker, reason):
        self.path, self.line, self.lines = path, line, lines
        self.marker, self.reason = marker, reason

    @property
    def where(self):
        return "%s:%d" % (os.path.relpath(self.path, SOURCE), self.line)

    def first_word(self):
        for _, text in self.lines:
            words = text.split()
            if words and not words[0].startswith("#"):
                return words[0]
        return ""

    def is_command(self):
        return looks_like_command(self.first_word())


def looks_like_command(word):
    return bool(word) and (word in COMMAND_WORDS or bool(ASSIGNMENT_RE.match(word))
                           or bool(PATH_RE.match(word)))


def marker_of(lines, i):
    """The marker on the last non-blank line before line index i: (kind, reason)."""
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    m = MARKER_RE.match(lines[j]) if j >= 0 else None
    if not m:
        return None, None
    if m.group(1) == RUN:
        return RUN, None
    return NOT_RUN, m.group("reason")


def code_blocks(path):
    """Every code block of a Markdown file, fenced or indented, in order."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        fence = FENCE_RE.match(lines[i])
        if fence:
            mark, start = fence.group(1), i
            body = []
            i += 1
            while i < len(lines):
                close = re.match(r"^ {0,3}(`{3,}|~{3,})\s*$", lines[i])
                if close and close.group(1)[0] == mark[0] and len(close.group(1)) >= len(mark):
                    break
                body.append((i + 1, lines[i]))
                i += 1
            kind, reason = marker_of(lines, start)
            blocks.append(Block(path, start + 1, body, kind, reason))
            i += 1
            continue
        indented = lines[i].startswith("    ") or lines[i].startswith("\t")
        if indented and lines[i].strip() and (i == 0 or not lines[i - 1].strip()):
            start = i
            body = []
            while i < len(lines) and (lines[i].startswith("    ") or lines[i].startswith("\t")
                                      or not lines[i].strip()):
                text = lines[i][4:] if lines[i].startswith("    ") else lines[i][1:]
                body.append((i + 1, text))
                i += 1
            while body and not body[-1][1].strip():
                body.pop()
            kind, reason = marker_of(lines, start)
            blocks.append(Block(path, start + 1, body, kind, reason))
            continue
        i += 1
    return blocks


def dangling_markers(path):
    """Line numbers of markers that no code block follows."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    starts = {b.line - 1 for b in code_blocks(path)}
    bad = []
    for i, text in enumerate(lines):
        if MARKER_RE.match(text):
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j not in starts:
                bad.append(i + 1)
    return bad


def problems(path):
    """What is wrong with a file's markers: ["file:line: why", ...]."""
    out = []
    for b in code_blocks(path):
        if b.marker is None and b.is_command():
            out.append("%s: a command block (%s) without <!-- commands --> or "
                       "<!-- not run: REASON -->" % (b.where, b.first_word()))
        elif b.marker == NOT_RUN and not b.reason:
            out.append("%s: <!-- not run: --> without a reason" % b.where)
        elif b.marker == RUN and not b.is_command():
            out.append("%s: marked <!-- commands --> but its first word (%r) is no command"
                       % (b.where, b.first_word()))
    for line in dangling_markers(path):
        out.append("%s:%d: a marker with no code block after it"
                   % (os.path.relpath(path, SOURCE), line))
    return out


def doc_files():
    return [os.path.join(SOURCE, "README.md")] + sorted(
        glob.glob(os.path.join(SOURCE, "docs", "**", "*.md"), recursive=True))


def environment():
    env = dict(os.environ)
    env.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")
    env.setdefault("OMPI_MCA_btl", "self,vader")
    if os.geteuid() == 0:
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    env.pop("PYTHONPATH", None)  # the commands say what they need
    return env


FAILED = "@@docs-failed-line"
PRELUDE = ("set -eE; trap 'echo \"%s $LINENO $?: $BASH_COMMAND@@\" >&2' ERR\n" % FAILED)


def run_block(block, cwd, env, timeout=600):
    """Run a block as one bash script. Returns (ok, message): message names
    file:line of the failing command and holds the output's tail."""
    script = PRELUDE + "\n".join(text for _, text in block.lines) + "\n"
    try:
        proc = subprocess.run(["bash", "-c", script], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, "%s: the block did not end within %d s" % (block.where, timeout)
    if proc.returncode == 0:
        return True, ""
    where, command = block.where, ""
    m = re.search(re.escape(FAILED) + r" (\d+) (\d+): (.*?)@@", proc.stderr, re.S)
    if m:
        k = int(m.group(1)) - 2  # the prelude is line 1
        if 0 <= k < len(block.lines):
            line, text = block.lines[k]
            where = "%s:%d" % (os.path.relpath(block.path, SOURCE), line)
            command = text.strip()
    stderr = re.sub(re.escape(FAILED) + r".*?@@\n?", "", proc.stderr, flags=re.S)
    return False, "%s: exit %d: %s\n%s%s" % (where, proc.returncode, command,
                                            proc.stdout[-2000:], stderr[-3000:])


def scratch_directory():
    scratch = tempfile.mkdtemp(prefix="clocklab-docs-")
    os.symlink(BUILD, os.path.join(scratch, "build"))
    for name in LINKED:
        os.symlink(os.path.join(SOURCE, name), os.path.join(scratch, name))
    return scratch


def selected_files():
    chosen = os.environ.get("CLOCKLAB_DOCS_FILES")
    if not chosen:
        return doc_files()
    return [os.path.join(SOURCE, name) for name in chosen.split()]


class DocumentedCommands(unittest.TestCase):
    def test_every_command_block_is_marked(self):
        found = [p for path in doc_files() for p in problems(path)]
        self.assertEqual(found, [], "\n" + "\n".join(found))

    def test_marked_commands_run_as_written(self):
        env = environment()
        ran = 0
        for path in selected_files():
            blocks = [b for b in code_blocks(path) if b.marker == RUN]
            if not blocks:
                continue
            scratch = scratch_directory()
            try:
                for block in blocks:
                    ran += 1
                    with self.subTest(where=block.where):
                        began = time.monotonic()
                        ok, message = run_block(block, scratch, env)
                        if os.environ.get("CLOCKLAB_DOCS_VERBOSE"):
                            print("%s %.1f s %s" % (block.where, time.monotonic() - began,
                                                    "ok" if ok else "FAILED"),
                                  file=sys.stderr, flush=True)
                        self.assertTrue(ok, message)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
        self.assertTrue(ran, "no block is marked <!-- commands -->")


class TheChecker(unittest.TestCase):
    """The test itself: markers, unmarked blocks, failures and heredocs."""

    def page(self, text):
        f = tempfile.NamedTemporaryFile("w", suffix=".md", delete=False)
        with f:
            f.write(text)
        self.addCleanup(os.unlink, f.name)
        return f.name

    def test_fenced_and_indented_blocks_read_with_markers(self):
        path = self.page("text\n\n<!-- commands -->\n\n    echo one   # a comment\n"
                         "    echo two \\\n        three\n\nafter\n\n"
                         "<!-- not run: needs a Slurm cluster -->\n```sh\nsbatch x\n```\n\n"
                         "```ini\n[experiment]\nnodes = 4\n```\n")
        blocks = code_blocks(path)
        self.assertEqual([(b.line, b.marker, b.first_word()) for b in blocks],
                         [(5, RUN, "echo"), (12, NOT_RUN, "sbatch"), (16, None, "[experiment]")])
        self.assertEqual(blocks[0].lines, [(5, "echo one   # a comment"), (6, "echo two \\"),
                                           (7, "    three")])
        self.assertEqual(blocks[1].reason, "needs a Slurm cluster")
        self.assertEqual(problems(path), [])

    def test_an_unmarked_command_block_is_found(self):
        path = self.page("# page\n\n```sh\n# a comment first\nmpirun -n 2 build/clocklab\n```\n\n"
                         "    PYTHONPATH=analysis python3 -m clocklab\n\n"
                         "```\nclocklab: error: x.ini:7: [berkeley] period: '1ns'\n```\n\n"
                         "<!-- not run: -->\n```\nbash x.sh\n```\n\n<!-- commands -->\n\ntext\n")
        found = problems(path)
        name = os.path.relpath(path, SOURCE)
        self.assertEqual(len(found), 4, found)
        self.assertTrue(found[0].startswith(name + ":3: a command block (mpirun)"), found)
        self.assertTrue(found[1].startswith(name + ":8: a command block (PYTHONPATH="), found)
        self.assertTrue(found[2].startswith(name + ":15: <!-- not run: --> without a reason"),
                        found)
        self.assertTrue(found[3].startswith(name + ":19: a marker with no code block"), found)

    def test_commands_told_apart_from_other_first_words(self):
        for word in ("mpirun", "build/clocklab", "bash", "/usr/bin/python3", "PYTHONPATH=analysis",
                     "analysis/clocklab-analysis", "cat", "sbatch", "h5dump", "cmake",
                     "MODE=virtual", "./run.sh"):
            self.assertTrue(looks_like_command(word), word)
        for word in ("[experiment]", "clocklab:", "import", "|", "src/main.c,", "/", "nodes",
                     "/runs/run000/", "algorithm", ""):
            self.assertFalse(looks_like_command(word), word)

    def test_a_failing_command_fails_and_names_its_line(self):
        path = self.page("x\n\n<!-- commands -->\n```sh\necho fine\ncat > f.txt <<'EOF'\n"
                         "exit 1 is text here\nEOF\ngrep -q 'exit 1' f.txt\nfalse\necho never\n```\n")
        block = code_blocks(path)[0]
        scratch = tempfile.mkdtemp(prefix="clocklab-docs-self-")
        self.addCleanup(shutil.rmtree, scratch, True)
        ok, message = run_block(block, scratch, environment())
        self.assertFalse(ok)
        self.assertTrue(message.startswith("%s:10: exit 1: false" % os.path.relpath(path, SOURCE)),
                        message)
        self.assertTrue(os.path.exists(os.path.join(scratch, "f.txt")))

    def test_a_heredoc_runs(self):
        path = self.page("<!-- commands -->\n```sh\ncat > my.ini <<'EOF'\n[experiment]\n"
                         "duration = 2s\nEOF\ntest \"$(sed -n 2p my.ini)\" = 'duration = 2s'\n```\n")
        scratch = tempfile.mkdtemp(prefix="clocklab-docs-self-")
        self.addCleanup(shutil.rmtree, scratch, True)
        ok, message = run_block(code_blocks(path)[0], scratch, environment())
        self.assertTrue(ok, message)


if __name__ == "__main__":
    unittest.main()
