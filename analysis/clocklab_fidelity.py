#!/usr/bin/env python3
"""`python3 -m clocklab fidelity` under its former name."""

import sys

from clocklab.cli import main

if __name__ == "__main__":
    sys.exit(main(["fidelity", *sys.argv[1:]]))
