"""The `mhmonitor` entry point: starts Chromium first for the commands that render images, then the CLI.

Chromium takes 1.5-2 s to start; importing the CLI (pandas, SQLAlchemy), querying the warehouse and drawing
the map take about as long. Started here, before `mhmonitor.cli` is even imported, the two overlap.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

RENDERING_COMMANDS = frozenset({"export-map", "brief", "evaluation-report"})


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in RENDERING_COMMANDS and not {"-h", "--help"} & set(args):
        from exports.renderer import warm_up

        warm_up()  # in the background; a missing Chromium is reported by the command itself
    from mhmonitor.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
