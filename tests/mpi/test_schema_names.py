"""The names of schema clocklab/1 agree between the C writer and the
analysis package (docs/schema.md):
`clocklab --schema` prints the writer's table (src/output/schema_names.c),
which must list the same datasets, compound fields, units and enum values
as analysis/clocklab/schema.py; and a file clocklab writes carries those
names and `units` attributes, per field on the compound datasets
("field=unit;..."; "1" for ids, counters and enums, never "s")."""
import os
import subprocess
import tempfile
import unittest

import h5py

import clocklab_testlib as lab
from clocklab import schema


def printed_schema():
    """Parse `clocklab --schema` (no mpirun: a singleton)."""
    proc = subprocess.run([lab.BINARY, "--schema"], capture_output=True, text=True, timeout=60,
                          env=lab.mpi_env())
    if proc.returncode != 0:
        raise AssertionError(proc.stderr)
    out = {"schema": None, "datasets": {}, "compounds": {}, "enums": {}, "order": []}
    for line in proc.stdout.splitlines():
        words = line.split()
        if words[0] == "schema":
            out["schema"] = words[1]
        elif words[0] == "dataset":
            out["datasets"][words[1]] = words[2] if len(words) > 2 else None
            out["order"].append(words[1])
        elif words[0] == "compound":
            out["compounds"][words[1]] = words[2]
            out["order"].append(words[1])
        elif words[0] == "enum":
            values = dict(item.split("=") for item in words[3].split(","))
            out["enums"][(words[1], words[2])] = {k: int(v) for k, v in values.items()}
        else:
            raise AssertionError("unexpected line: " + line)
    return out


class SchemaNames(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.c = printed_schema()

    def test_c_and_python_name_the_same_datasets_in_order(self):
        c_paths = self.c["order"]
        self.assertEqual(self.c["schema"], schema.SCHEMA)
        self.assertEqual(sorted(c_paths), sorted(schema.dataset_paths()))
        # in the same order within each group
        for group, names in schema.DATASETS.items():
            if names:
                in_c = [p.split("/", 1)[1] for p in c_paths if p.split("/", 1)[0] == group]
                self.assertEqual(tuple(sorted(in_c, key=list(names).index)), tuple(in_c), group)

    def test_c_and_python_give_the_same_fields_and_units(self):
        self.assertEqual(sorted(self.c["compounds"]), sorted(schema.FIELDS))
        for path, text in self.c["compounds"].items():
            units = schema.field_units(text)
            self.assertEqual(tuple(units), schema.FIELDS[path], path)
            self.assertEqual(units, schema.FIELD_UNITS[path], path)
        plain = {p: u for p, u in self.c["datasets"].items() if u is not None}
        self.assertEqual(plain, schema.DATASET_UNITS)

    def test_c_and_python_give_the_same_enums(self):
        self.assertEqual(self.c["enums"], dict(schema.ENUMS))


class WrittenFile(unittest.TestCase):
    """A short virtual-time run of bully+berkeley with trace on (one process,
    no mpirun): every dataset it writes is declared, with its units."""

    def test_file_carries_the_declared_names_and_units(self):
        work = tempfile.mkdtemp(prefix="clocklab-schema-")
        out = os.path.join(work, "out.h5")
        args = [lab.BINARY, os.devnull, "-o", out, "--set", "experiment.algorithm=bully+berkeley",
                "--set", "experiment.time=virtual", "--set", "experiment.nodes=4",
                "--set", "experiment.duration=300ms", "--set", "experiment.trace=on"]
        proc = subprocess.run(args, capture_output=True, text=True, timeout=120,
                              env=lab.mpi_env())
        self.assertEqual(proc.returncode, 0, proc.stderr)
        seen = set()
        with h5py.File(out, "r") as f:
            self.assertEqual(f.attrs["schema"], schema.SCHEMA)
            run = f["runs/run000"]

            def visit(name, obj):
                if isinstance(obj, h5py.Dataset) and not name.startswith(schema.RESULTS + "/"):
                    seen.add(name)
                    units = obj.attrs.get("units")
                    if obj.dtype.names:
                        self.assertEqual(obj.dtype.names, schema.FIELDS[name], name)
                        self.assertEqual(schema.field_units(units), schema.FIELD_UNITS[name], name)
                    else:
                        self.assertIn(name, schema.dataset_paths())
                        self.assertEqual(units, schema.DATASET_UNITS.get(name), name)
            run.visititems(visit)
        for name in ("clock/rounds", "events/table", "election/history", "nodes/drift"):
            self.assertIn(name, seen)


if __name__ == "__main__":
    unittest.main()
