"""Fix safety on real code: `ctxlint --fix --unsafe-fixes` over a scratch copy of the given
trees; every file it changes must still compile, and a second run must change nothing.

    python bench/fix_safety.py [--config ctxlint.toml] PATH [PATH ...]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path


def _digests(root: Path) -> dict[Path, str]:
    return {
        path: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*.py")
        if path.is_file() and not path.is_symlink()
    }


def _fix(root: Path, config: str | None) -> subprocess.CompletedProcess:
    command = ["ctxlint", str(root), "--fix", "--unsafe-fixes", "--exit-zero", "-q"]
    if config:
        command += ["--config", config]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--config")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ctxlint-fix-") as scratch:
        root = Path(scratch) / "tree"
        root.mkdir()
        for number, path in enumerate(arguments.paths):
            # The copies are named "copyN", so that no copy is itself a default exclude.
            shutil.copytree(path, root / f"copy{number}", symlinks=True)
        before = _digests(root)
        first = _fix(root, arguments.config)
        after = _digests(root)
        changed = [path for path in after if before.get(path) != after[path]]
        broken = []
        for path in changed:
            try:
                compile(path.read_bytes(), str(path), "exec")
            except SyntaxError as error:
                broken.append(f"{path}: {error}")
        second = _fix(root, arguments.config)
        again = [path for path, digest in _digests(root).items() if after.get(path) != digest]
        print(f"files: {len(before)}; changed by --fix --unsafe-fixes: {len(changed)}")
        for path in changed:
            print(f"  {path.relative_to(root)}")
        print(f"changed files that no longer compile: {len(broken)}")
        print(*broken, sep="\n")
        print(f"files changed again by a second run: {len(again)}")
        for stream in (first.stderr, second.stderr):
            if "Traceback" in stream:
                print(stream)
                return 1
        return 1 if broken or again else 0


if __name__ == "__main__":
    raise SystemExit(main())
