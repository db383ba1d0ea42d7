"""Which file a TypeScript or JavaScript import names: a relative specifier (`./prompt`,
`../core/prompt.js`, `./tools` for `./tools/index.ts`) resolved as TypeScript's `bundler` and
`node16` resolutions do, and a package of the same workspace (`@acme/core` for
`packages/core/package.json` named so) to its source entry.

Only the file system is read, each time: what one run resolves never depends on what an
earlier file of the run loaded. A package of node_modules is never followed (an SDK's code
is not the project's)."""

from __future__ import annotations

import functools
import json
import os

_SOURCE_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
# TypeScript's ESM style: `import "./prompt.js"` names the `.ts` file compiled to it.
_EMITTED = {
    ".js": (".ts", ".tsx", ".js", ".jsx"),
    ".jsx": (".tsx", ".jsx"),
    ".mjs": (".mts", ".mjs"),
    ".cjs": (".cts", ".cjs"),
}
_DECLARATIONS = (".d.ts", ".d.mts", ".d.cts")
# How far up a workspace's root is looked for, from the importing file.
_FOLDERS_UP = 8
# Where a workspace package's source entry usually is, when its package.json names a build.
_SOURCE_ENTRIES = ("src/index", "index", "src/main", "lib/index")


def resolve_import(importer: str, specifier: str) -> str | None:
    """The source file `specifier`, imported by the file `importer`, names; None for a
    package outside the project or a file not found."""
    if specifier.startswith(("./", "../")) or specifier in (".", ".."):
        return _source_file(os.path.normpath(os.path.join(os.path.dirname(importer), specifier)))
    if specifier.startswith(("node:", "/")) or not specifier:
        return None
    return _workspace_import(os.path.dirname(os.path.abspath(importer)), specifier)


def _source_file(base: str) -> str | None:
    root, suffix = os.path.splitext(base)
    lowered = base.lower()
    if suffix.lower() in _EMITTED and not lowered.endswith(_DECLARATIONS):
        for other in _EMITTED[suffix.lower()]:
            if os.path.isfile(root + other):
                return root + other
    elif suffix.lower() in _SOURCE_SUFFIXES and not lowered.endswith(_DECLARATIONS):
        return base if os.path.isfile(base) else None
    for other in _SOURCE_SUFFIXES:
        if os.path.isfile(base + other):
            return base + other
    if os.path.isdir(base):
        for other in _SOURCE_SUFFIXES:
            index = os.path.join(base, "index" + other)
            if os.path.isfile(index):
                return index
    return None


def _workspace_import(folder: str, specifier: str) -> str | None:
    """`@acme/core` or `@acme/core/prompts` when a package of the workspace is named so."""
    parts = specifier.split("/")
    name_length = 2 if specifier.startswith("@") else 1
    if len(parts) < name_length:
        return None
    name, rest = "/".join(parts[:name_length]), "/".join(parts[name_length:])
    for _ in range(_FOLDERS_UP):
        packages = _workspace_packages(folder)
        if packages:
            location = packages.get(name)
            if location is None:
                return None
            if rest:
                return _source_file(os.path.join(location, "src", rest)) or _source_file(
                    os.path.join(location, rest)
                )
            for entry in _SOURCE_ENTRIES:
                found = _source_file(os.path.join(location, entry))
                if found is not None:
                    return found
            return None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return None


@functools.lru_cache(maxsize=64)
def _workspace_packages(folder: str) -> dict[str, str]:
    """The packages of the workspace rooted at `folder` (a package.json with `workspaces`,
    or a pnpm-workspace.yaml), by name: their folders one or two levels below the root.
    Cached per process by folder: a workspace's packages do not change during a run."""
    manifest = os.path.join(folder, "package.json")
    if not os.path.isfile(os.path.join(folder, "pnpm-workspace.yaml")):
        try:
            with open(manifest, encoding="utf-8") as handle:
                if "workspaces" not in json.load(handle):
                    return {}
        except (OSError, ValueError, TypeError):
            return {}
    found: dict[str, str] = {}
    for group in ("packages", "apps", "libs"):
        top = os.path.join(folder, group)
        if not os.path.isdir(top):
            continue
        for entry in sorted(os.listdir(top)):
            for location in _package_folders(os.path.join(top, entry)):
                name = _package_name(location)
                if name is not None:
                    found.setdefault(name, location)
    return found


def _package_folders(location: str) -> list[str]:
    if os.path.isfile(os.path.join(location, "package.json")):
        return [location]
    if os.path.isdir(location):  # `packages/@scope/name`
        return [os.path.join(location, entry) for entry in sorted(os.listdir(location))]
    return []


def _package_name(location: str) -> str | None:
    try:
        with open(os.path.join(location, "package.json"), encoding="utf-8") as handle:
            name = json.load(handle).get("name")
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    return name if isinstance(name, str) else None
