#!/usr/bin/env python3
"""`python3 -m clocklab complexity` under its former name."""

import sys

from clocklab.cli import main

if __name__ == "__main__":
    sys.exit(main(["complexity", *sys.argv[1:]]))
