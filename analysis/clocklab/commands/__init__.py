"""The commands of ``python3 -m clocklab COMMAND`` (clocklab.cli lists them):
one module each, with ``main(argv, prog)``; they use the library modules of
the package above and one another only where one study runs another
(complexity runs a sweep)."""
