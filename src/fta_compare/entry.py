"""The ``fta-compare`` command's entry point: process-wide settings, then the CLI.

The memory settings of :func:`fta_compare.pages.keep_freed_memory` must come before numpy
(and pandas) are imported: those imports start threads, and a freed block kept in one of
their malloc arenas does not serve the run's arrays. The CLI module imports numpy, so
this module sets them first and imports the CLI after.
"""

from __future__ import annotations


def main() -> None:
    """Run the command line (``fta_compare.cli.main``) with freed memory kept."""
    from fta_compare.pages import keep_freed_memory

    keep_freed_memory()
    from fta_compare.cli import main as cli_main

    cli_main()
