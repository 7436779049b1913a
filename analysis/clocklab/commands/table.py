"""``clocklab table``: one CSV row per run of the files (the columns of
:mod:`clocklab.runtable`)."""

import argparse
import sys

from ..reader import ClocklabError, exit_status
from ..runtable import rows, write_csv


def main(argv=None, prog="clocklab table"):
    """``clocklab table``: returns the exit status."""
    parser = argparse.ArgumentParser(
        prog=prog, description="One CSV row per run of the files: the run, its metrics and "
                               "every configuration key as section.key.")
    parser.add_argument("files", nargs="+", metavar="FILE.h5", help="clocklab output files")
    parser.add_argument("-o", "--output", help="CSV file to write (default: stdout)")
    args = parser.parse_args(argv)
    try:
        columns, table_rows = rows(args.files)
    except ClocklabError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return exit_status(exc)
    if args.output:
        with open(args.output, "w", newline="") as out:
            write_csv(columns, table_rows, out)
        print(f"{prog}: {len(table_rows)} runs, {len(columns)} columns, wrote {args.output}",
              file=sys.stderr)
    else:
        write_csv(columns, table_rows, sys.stdout)
    return 0
