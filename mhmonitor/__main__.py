"""`python -m mhmonitor`: same as the installed `mhmonitor` command."""

import sys

from mhmonitor.cli import main

sys.exit(main())
