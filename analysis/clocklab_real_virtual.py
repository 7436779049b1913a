#!/usr/bin/env python3
"""`python3 -m clocklab real-vs-virtual` under its former name."""

import sys

from clocklab.cli import main

if __name__ == "__main__":
    sys.exit(main(["real-vs-virtual", *sys.argv[1:]]))
