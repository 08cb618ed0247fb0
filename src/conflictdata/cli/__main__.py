"""`python -m conflictdata.cli`: the same command as the `conflictdata` console script."""

from .app import main

main()
