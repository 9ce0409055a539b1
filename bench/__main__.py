"""Run benchmarks: ``python -m bench [name ...]`` (``make bench``).

Each ``bench/bench_<name>.py`` has ``main() -> None`` that prints its figures,
including the ratio of our path to the plain floor timed in the same run.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(
        m.name[6:] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_")
    )
    chosen = argv or names
    for name in chosen:
        if name not in names:
            print(f"no benchmark named {name!r}; have: {', '.join(names)}")
            return 2
        print(f"== {name}")
        importlib.import_module(f"bench.bench_{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
