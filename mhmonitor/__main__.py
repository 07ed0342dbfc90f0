"""`python -m mhmonitor`: same as the installed `mhmonitor` command."""

import sys

from mhmonitor.launch import main

sys.exit(main())
