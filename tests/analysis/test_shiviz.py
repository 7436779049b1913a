#!/usr/bin/env python3
"""Tests of analysis/clocklab_shiviz.py (ShiViz log export).

The log must parse with ShiViz's default expression
    (?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})
(the ShiViz input page: an empty first line selects it), and satisfy the
rules ShiViz checks: a host's own entry counts its events 1, 2, 3, ...,
and no entry for host j exceeds j's number of events. The expected vectors
are those of the hand-made execution in synthetic.py (LOGICAL_ROWS).

Run:  /usr/bin/python3 -m unittest discover -s tests/analysis
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
ANALYSIS = os.path.join(HERE, "..", "..", "analysis")
SCRIPT = os.path.join(ANALYSIS, "clocklab_shiviz.py")
sys.path.insert(0, HERE)
sys.path.insert(0, ANALYSIS)

import synthetic as syn  # noqa: E402

#: ShiViz's default parser, as its documentation gives it (JavaScript syntax).
SHIVIZ_DEFAULT = r"(?<event>.*)\n(?<host>\S*) (?<clock>{.*})"
HOSTS = ["VM_1", "VM2", "VM3"]  # labels "VM 1", "VM2", "VM3" without whitespace


def python_regex(js):
    """The same expression in Python's syntax for named groups; ShiViz uses flag m."""
    return re.compile(js.replace("(?<", "(?P<"), re.M)


def run_export(*args):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True,
                          timeout=120)


def parse(text):
    """Split a ShiViz file and parse its log as ShiViz would: list of (event, host, clock)."""
    lines = text.split("\n")
    regex = python_regex(lines[0] or SHIVIZ_DEFAULT)
    log = "\n".join(lines[2:]).strip()
    matches = list(regex.finditer(log))
    # every character of the log belongs to a match (or is the newline between two)
    covered = "".join(log[m.start():m.end()] for m in matches)
    if len(covered) + len(matches) - 1 != len(log):
        raise AssertionError("parts of the log are not matched by the expression")
    return lines[:2], [(m["event"], m["host"], json.loads(m["clock"])) for m in matches]


class ShivizExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.tmp.name, "logical.h5")
        syn.write_logical_file(cls.path)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def export(self, *args):
        out = os.path.join(self.tmp.name, f"{self.id().rsplit('.', 1)[-1]}.log")
        result = run_export(self.path, *args, "-o", out)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(out) as fh:
            return fh.read(), result.stderr

    def check_shiviz_rules(self, events):
        counts = {host: 0 for host in HOSTS}
        for _, host, clock in events:
            counts[host] += 1
            self.assertEqual(clock[host], counts[host], f"own entry of {host}")
        for _, host, clock in events:
            for other, value in clock.items():
                self.assertGreaterEqual(value, 1)
                self.assertLessEqual(value, counts[other])

    def expected_clocks(self):
        """Per host, the hand-made vectors in seq order, as ShiViz JSON dicts."""
        per_host = {h: [] for h in HOSTS}
        for node, seq, *_, vector in sorted(syn.LOGICAL_ROWS, key=lambda r: (r[0], r[1])):
            per_host[HOSTS[node]].append({HOSTS[j]: v for j, v in enumerate(vector) if v})
        return per_host

    def clocks_by_host(self, events):
        per_host = {h: [] for h in HOSTS}
        for _, host, clock in events:
            per_host[host].append(clock)
        return per_host

    def test_recorded_vectors_parse_with_default_regex(self):
        text, err = self.export("--run", "run001")
        header, events = parse(text)
        self.assertEqual(header, ["", ""])  # default expression, one execution
        self.assertEqual(len(events), len(syn.LOGICAL_ROWS))
        self.check_shiviz_rules(events)
        self.assertEqual(self.clocks_by_host(events), self.expected_clocks())
        self.assertIn("recorded", err)

    def test_vectors_derived_from_trace_for_lamport_run(self):
        text, err = self.export("--run", "run000")
        _, events = parse(text)
        self.check_shiviz_rules(events)
        self.assertEqual(self.clocks_by_host(events), self.expected_clocks())
        self.assertIn("derived", err)

    def test_default_run_is_first_with_events(self):
        text, _ = self.export()
        _, events = parse(text)
        self.assertEqual(len(events), len(syn.LOGICAL_ROWS))

    def test_causal_order_in_log(self):
        # a receive is written after its send
        text, _ = self.export("--run", "run001")
        _, events = parse(text)
        position = {}
        for k, (event, _, _) in enumerate(events):
            msg = re.search(r"msg=(\d+)", event)
            if msg:
                position.setdefault(msg[1], []).append((k, event.split()[0]))
        for msg, rows in position.items():
            kinds = [kind for _, kind in sorted(rows)]
            self.assertEqual(kinds[0], "SEND", msg)

    def test_descriptions(self):
        text, _ = self.export("--run", "run001")
        _, events = parse(text)
        first = [e for e, host, _ in events if host == "VM_1"][0]
        self.assertTrue(first.startswith("SEND MSG to VM2 msg=1 lamport=1"), first)

    def test_stdout_when_no_output_given(self):
        result = run_export(self.path, "--run", "run001")
        self.assertEqual(result.returncode, 0, result.stderr)
        _, events = parse(result.stdout)
        self.assertEqual(len(events), len(syn.LOGICAL_ROWS))

    def test_run_without_events_is_an_error(self):
        result = run_export(self.path, "--run", "run002")
        self.assertEqual(result.returncode, 1)
        self.assertIn("no events", result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_unknown_run_is_an_error(self):
        result = run_export(self.path, "--run", "run999")
        self.assertEqual(result.returncode, 1)
        self.assertIn("run999", result.stderr)

    def test_wrong_recorded_vectors_are_replaced(self):
        # A vector whose own entry does not count the node's events breaks
        # ShiViz's rule: the exporter derives the vectors from the trace.
        path = os.path.join(self.tmp.name, "broken.h5")
        syn.write_logical_file(path)
        with h5py.File(path, "r+") as f:
            vec = f["runs/run001/events/vector"]
            data = vec[()]
            data[0, 0] = 5
            vec[...] = data
        out = os.path.join(self.tmp.name, "broken.log")
        result = run_export(path, "--run", "run001", "-o", out)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("derived", result.stderr)
        with open(out) as fh:
            _, events = parse(fh.read())
        self.check_shiviz_rules(events)
        self.assertEqual(self.clocks_by_host(events), self.expected_clocks())

    def test_regex_finds_nothing_in_a_non_log(self):
        # the check in parse() can fail
        with self.assertRaises(AssertionError):
            parse("\n\nVM1 {\"VM1\": 1}\nstray text\n")


if __name__ == "__main__":
    unittest.main()
