"""Start-up: arguments, the Qt application, the store, log-in, main window.

medbill            open this computer's office store (set-up wizard on first start)
medbill --demo     open a throwaway encrypted store filled with a synthetic office
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="medbill", description="MedBill Desk")
    ap.add_argument(
        "--demo",
        action="store_true",
        help="open a throwaway encrypted store with a synthetic office",
    )
    ap.add_argument("--demo-size", type=int, default=300, help="patients in the demo office")
    ap.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder of the office store (default: the user's data folder)",
    )
    ap.add_argument("--version", action="store_true")
    # For benchmarks and packaging checks (see app/ui/probe.py); not for people.
    ap.add_argument("--exit-when-shown", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--self-check", action="store_true", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.version:
        from app import __version__

        print(__version__)
        return 0
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.self_check:
        from app.ui.probe import self_check

        return self_check()
    if args.exit_when_shown:
        from app.ui.probe import install_exit_when_shown

        install_exit_when_shown()
    from app.ui.startup import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
