"""Export the Python files of each mirrored repository's HEAD into a folder per repository,
the `apps/*` corpora of bench/findings_diff.py. Reads local git directories only.

Snapshots may lack blobs of 4 MiB and more, so files are read one by one through
`git cat-file --batch` and a missing one is counted, not fatal. The repositories kept for the
independent check are never exported.

    python bench/export_apps.py [--mirrors /work/.mirror] [--out /tmp/apps]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
from pathlib import Path

# Kept for an independent check (see the issue): never a source of cases or corpora.
EXCLUDED = {
    name.lower().replace("/", "+")
    for name in [
        "HKUDS/nanobot",
        "dimagi/open-chat-studio",
        "mozilla-ai/clawbolt",
        "agno-agi/agno",
        "goruck/home-generative-agent",
        "stanfordnlp/dspy",
        "XiaoMi/xiaomi-miloco",
        "langchain-ai/deepagents",
        "skye-harris/hass_local_openai_llm",
        "bojieli/ai-agent-book",
        "SWE-agent/SWE-agent",
        "SWE-agent/mini-swe-agent",
        "lastmile-ai/mcp-agent",
        "anthropics/anthropic-quickstarts",
        "sierra-research/tau-bench",
        "manus-use/manus-use",
        "dmhernandez2525/research-agent",
        "Mintplex-Labs/anything-llm",
        "getkimchi/kimchi",
    ]
}


def python_blobs(git_dir: Path) -> list[tuple[str, str]]:
    listing = subprocess.run(
        ["git", "--git-dir", str(git_dir), "ls-tree", "-r", "-z", "HEAD"],
        capture_output=True,
        check=True,
    ).stdout
    blobs = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, path = record.split(b"\t", 1)
        mode, kind, sha = meta.split()
        if kind == b"blob" and mode != b"120000" and path.endswith(b".py"):
            blobs.append((sha.decode(), path.decode("utf-8", "surrogateescape")))
    return blobs


def export(git_dir: Path, out: Path) -> tuple[int, int]:
    """(written, missing). The object names are fed from a thread: git stops reading its
    input while its output is full, and a single writer would wait on it forever."""
    blobs = python_blobs(git_dir)
    batch = subprocess.Popen(
        ["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )

    def feed() -> None:
        batch.stdin.write("".join(f"{sha}\n" for sha, _ in blobs).encode())
        batch.stdin.close()

    threading.Thread(target=feed, daemon=True).start()
    written = missing = 0
    for _, path in blobs:
        header = batch.stdout.readline().split()
        if header[-1] == b"missing":
            missing += 1
            continue
        data = batch.stdout.read(int(header[2]))
        batch.stdout.read(1)
        destination = out / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
        written += 1
    batch.wait()
    return written, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", default="/work/.mirror")
    parser.add_argument("--out", default="/tmp/apps")
    args = parser.parse_args(argv)
    for mirror in sorted(Path(args.mirrors).iterdir()):
        git_dir = mirror / "repo"
        if not git_dir.is_dir():
            continue
        if mirror.name.lower() in EXCLUDED:
            print(f"{mirror.name}: kept for the independent check, not exported", file=sys.stderr)
            continue
        out = Path(args.out) / mirror.name
        head = subprocess.run(
            ["git", "--git-dir", str(git_dir), "rev-parse", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        marker = out / ".exported"
        if marker.exists() and marker.read_text().strip() == head:
            continue
        if out.exists():
            subprocess.run(["rm", "-rf", str(out)], check=True)
        out.mkdir(parents=True)
        written, missing = export(git_dir, out)
        marker.write_text(head + "\n")
        print(f"{mirror.name} {head[:10]}: {written} files, {missing} missing", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
