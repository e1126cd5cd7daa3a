"""`python -m qa` runs the command line, as the `qa` script does."""

from qa.cli import main

main()
