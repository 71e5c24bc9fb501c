"""`python -m ceremony` runs the command line."""

import sys

from ceremony.cli import main

sys.exit(main())
