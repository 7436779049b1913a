#!/usr/bin/env python3
"""`python3 -m clocklab pingpong` under its former name."""

import sys

from clocklab.cli import main

if __name__ == "__main__":
    sys.exit(main(["pingpong", *sys.argv[1:]]))
