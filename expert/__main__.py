"""`python -m expert` runs the same command line as `shequn`."""

import sys

from expert.cli import main

sys.exit(main())
