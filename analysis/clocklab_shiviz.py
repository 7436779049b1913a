#!/usr/bin/env python3
"""`python3 -m clocklab shiviz` under its former name."""

import sys

from clocklab.cli import main

if __name__ == "__main__":
    sys.exit(main(["shiviz", *sys.argv[1:]]))
