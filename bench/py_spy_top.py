"""The top frames of a py-spy profile: where a server's samples were, by function.

``bench/run.py --py-spy DIR`` leaves one collapsed-stack file per scenario (py-spy's
``--format raw``: a stack per line, frames separated by ``;``, then a sample count). This
prints, for one file, the functions with the most samples on top of the stack ("self")
and the most samples anywhere in the stack ("total"), as shares of all samples::

    .venv/bin/python bench/py_spy_top.py /tmp/spy/2.txt [--top 25]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path


def read_stacks(path: Path) -> list[tuple[list[str], int]]:
    """Each stack (outermost frame first) with its sample count."""
    stacks = []
    for line in path.read_text(errors="replace").splitlines():
        frames, _, count = line.rpartition(" ")
        if frames and count.isdigit():
            stacks.append((frames.split(";"), int(count)))
    return stacks


def short(frame: str) -> str:
    """``function (path/to/file.py:12)`` → ``function (file.py)``: lines differ per sample."""
    name, _, where = frame.partition(" (")
    file = where.rstrip(")").rpartition(":")[0] or where.rstrip(")")
    parts = file.split("/")
    tail = "/".join(parts[-2:]) if len(parts) > 1 else file
    return f"{name} ({tail})"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the self and total tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args(argv)
    stacks = read_stacks(args.profile)
    total_samples = sum(count for _, count in stacks) or 1
    own: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    for frames, count in stacks:
        names = [short(f) for f in frames]
        if names:
            own[names[-1]] += count
        for name in set(names):
            anywhere[name] += count
    print(f"{total_samples} samples in {args.profile}")
    for title, counter in (("self", own), ("total", anywhere)):
        print(f"\n{title}:")
        for name, count in counter.most_common(args.top):
            print(f"{100 * count / total_samples:6.1f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
