"""``python3 -m clocklab COMMAND ...`` (see clocklab.cli)."""

import sys

from .cli import main

sys.exit(main())
