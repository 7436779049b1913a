#!/usr/bin/env python3
"""Tests of ``clocklab shiviz`` (the ShiViz log export).

The log must parse as ShiViz parses it (its LogParser: the file's first
line is the parsing expression, empty for its default
    (?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})
the second the expression that splits the log into executions, named by
its "trace" group), and satisfy the rules ShiViz checks: a host's own
entry counts its events 1, 2, 3, ..., and no entry for host j exceeds j's
number of events. The expected vectors are those of the hand-made
execution in synthetic.py (LOGICAL_ROWS), and the message labels its
message ids (LOGICAL_MSG).

Run:  PYTHONPATH=analysis /usr/bin/python3 -m unittest discover -s tests/analysis
"""

import json
import os
import re
import tempfile
import unittest

import h5py

import synthetic as syn
from helpers import run_cli, run_module

#: ShiViz's default parser, as its documentation gives it (JavaScript syntax).
SHIVIZ_DEFAULT = r"(?<event>.*)\n(?<host>\S*) (?<clock>{.*})"
HOSTS = ["VM_1", "VM2", "VM3"]  # labels "VM 1", "VM2", "VM3" without whitespace


def python_regex(js, capture=True):
    """The same expression in Python's syntax (ShiViz uses flag m). With
    capture=False its named groups do not capture: ShiViz splits by that."""
    if capture:
        return re.compile(js.replace("(?<", "(?P<"), re.M)
    return re.compile(re.sub(r"\(\?<\w+?>", "(?:", js), re.M)


def parse_execution(log, regex):
    """The events of one execution's text: [(event, host, clock)]; every
    character of the text belongs to a match (or is a newline between two)."""
    log = log.strip()
    matches = list(regex.finditer(log))
    covered = "".join(log[m.start():m.end()] for m in matches)
    if not matches or len(covered) + len(matches) - 1 != len(log):
        raise AssertionError("parts of the log are not matched by the expression")
    return [(m["event"], m["host"], json.loads(m["clock"])) for m in matches]


def parse(text):
    """Split a ShiViz file as ShiViz does: (header lines, {label: events})."""
    lines = text.split("\n")
    regex = python_regex(lines[0] or SHIVIZ_DEFAULT)
    log = "\n".join(lines[2:]).strip()
    if not lines[1].strip():
        return lines[:2], {"": parse_execution(log, regex)}
    splitter = python_regex(lines[1].strip(), capture=False)
    labels = [""] + [m["trace"] for m in python_regex(lines[1].strip()).finditer(log)]
    executions = {}
    for label, part in zip(labels, splitter.split(log)):
        if part.strip():
            executions[label] = parse_execution(part, regex)
    return lines[:2], executions


def only(executions):
    """The events of the one execution of a log."""
    if len(executions) != 1:
        raise AssertionError(f"{len(executions)} executions: {list(executions)}")
    return next(iter(executions.values()))


class ShivizExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.tmp.name, "logical.h5")
        syn.write_logical_file(cls.path)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def export(self, *args, path=None):
        out = os.path.join(self.tmp.name, f"{self.id().rsplit('.', 1)[-1]}.log")
        result = run_cli("shiviz", path or self.path, *args, "-o", out)
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
        header, executions = parse(text)
        self.assertEqual(header[0], "")  # ShiViz's default parsing expression
        self.assertEqual(list(executions), ["run001: vector, 3 nodes, seed 42"])
        events = only(executions)
        self.assertEqual(len(events), len(syn.LOGICAL_ROWS))
        self.check_shiviz_rules(events)
        self.assertEqual(self.clocks_by_host(events), self.expected_clocks())
        self.assertIn("recorded", err)

    def test_vectors_derived_from_trace_for_lamport_run(self):
        text, err = self.export("--run", "run000")
        events = only(parse(text)[1])
        self.check_shiviz_rules(events)
        self.assertEqual(self.clocks_by_host(events), self.expected_clocks())
        self.assertIn("derived", err)

    def test_every_run_with_events_is_an_execution(self):
        text, err = self.export()
        _, executions = parse(text)
        self.assertEqual(list(executions), ["run000: lamport, 3 nodes, seed 42",
                                            "run001: vector, 3 nodes, seed 42"])
        for events in executions.values():
            self.assertEqual(len(events), len(syn.LOGICAL_ROWS))
            self.check_shiviz_rules(events)
            self.assertEqual(self.clocks_by_host(events), self.expected_clocks())
        self.assertNotIn("run002", err)  # no events: not exported

    def test_a_receive_is_written_after_its_send(self):
        # a receive is written after its send
        text, _ = self.export("--run", "run001")
        events = only(parse(text)[1])
        position = {}
        for k, (event, _, _) in enumerate(events):
            msg = re.search(r"msg=(\S+)", event)
            if msg:
                position.setdefault(msg[1], []).append((k, event.split()[0]))
        self.assertEqual(len(position), 4)
        for msg, rows in position.items():
            kinds = [kind for _, kind in sorted(rows)]
            self.assertEqual(kinds[0], "SEND", msg)

    def test_message_ids_name_sender_and_number(self):
        # m1..m4 of synthetic.py: VM 1's 1st, VM2's 1st, VM3's 1st, VM 1's 2nd message
        text, _ = self.export("--run", "run001")
        events = only(parse(text)[1])
        labels = {}
        for event, host, _ in events:
            kind, msg = event.split()[0], re.search(r"msg=(\S+)", event)
            if msg:
                labels.setdefault(msg[1], set()).add((kind, host))
        expected = {f"{HOSTS[sender]}:{k}" for sender, k in syn.LOGICAL_MSG.values()}
        self.assertEqual(set(labels), expected)
        self.assertEqual(labels["VM_1:1"], {("SEND", "VM_1"), ("RECEIVE", "VM2")})
        self.assertEqual(labels["VM_1:2"], {("SEND", "VM_1")})  # m4: never received
        self.assertEqual(labels["VM3:1"], {("SEND", "VM3"), ("RECEIVE", "VM_1")})

    def test_description_gives_kind_peer_message_and_clock(self):
        text, _ = self.export("--run", "run001")
        events = only(parse(text)[1])
        first = [e for e, host, _ in events if host == "VM_1"][0]
        self.assertTrue(first.startswith("SEND MSG to VM2 msg=VM_1:1 lamport=1"), first)

    def test_stdout_when_no_output_given(self):
        result = run_module("shiviz", self.path, "--run", "run001")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(only(parse(result.stdout)[1])), len(syn.LOGICAL_ROWS))

    def test_run_without_events_is_an_error(self):
        result = run_cli("shiviz", self.path, "--run", "run002")
        self.assertEqual(result.returncode, 1)
        self.assertIn("no events", result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_unknown_run_is_an_error(self):
        result = run_cli("shiviz", self.path, "--run", "run999")
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
        text, err = self.export("--run", "run001", path=path)
        self.assertIn("derived", err)
        events = only(parse(text)[1])
        self.check_shiviz_rules(events)
        self.assertEqual(self.clocks_by_host(events), self.expected_clocks())

    def test_unmatched_receive_is_an_error(self):
        path = os.path.join(self.tmp.name, "unmatched.h5")
        syn.write_logical_file(path)
        with h5py.File(path, "r+") as f:
            table = f["runs/run000/events/table"]
            data = table[()]
            data["msg"][2] = syn.message_id(2, 9)  # VM2's RECEIVE of m1 -> a message never sent
            table[...] = data
        result = run_cli("shiviz", path, "--run", "run000")
        self.assertEqual(result.returncode, 1)
        self.assertIn("matches no SEND", result.stderr)

    def test_regex_finds_nothing_in_a_non_log(self):
        # the check in parse() can fail
        with self.assertRaises(AssertionError):
            parse("\n\nVM1 {\"VM1\": 1}\nstray text\n")
        with self.assertRaises(AssertionError):
            parse("\n^=== (?<trace>.*) ===$\n=== a ===\nSEND\nVM1 {\"VM1\": 1}\n"
                  "=== b ===\nstray\n")


if __name__ == "__main__":
    unittest.main()
