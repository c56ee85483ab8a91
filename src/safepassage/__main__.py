"""``python -m safepassage`` runs the command line."""

from safepassage.cli import main

main()
