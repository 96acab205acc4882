"""Fingerprint and precompress the static files (`make static`; `make run` and `make test` do it).

Writes static/dist/: every file under static/ (our CSS and JS, vendor/ from npm, the favicon) as
`name.<first 8 hex digits of its SHA-256>.ext`, with `.br` (brotli, quality 11) and `.gz` (gzip,
level 9) beside it when they are smaller, and manifest.json mapping each original path to its
fingerprinted one. A changed file gets a new name, so browsers and caches may keep every file
for a year. The output is git-ignored and rebuilt whole; the build is done before it replaces
the old one, so a server never sees half of it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

import brotli

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "static"
OUTPUT = SOURCE / "dist"
MANIFEST = "manifest.json"
COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".map", ".txt", ".xml", ".html"}


def fingerprinted(relative: Path, content: bytes) -> Path:
    """vetted.css → vetted.3f2a1c0d.css (the digest of the content, so any change renames)."""
    digest = hashlib.sha256(content).hexdigest()[:8]
    return relative.with_name(f"{relative.stem}.{digest}{relative.suffix}")


def sources(source: Path, output: Path) -> list[Path]:
    """Every file to publish, relative to `source`, leaving out the output and hidden files."""
    return sorted(
        path.relative_to(source)
        for path in source.rglob("*")
        if path.is_file()
        and output not in path.parents
        and not any(part.startswith(".") for part in path.relative_to(source).parts)
    )


def build(source: Path = SOURCE, output: Path = OUTPUT) -> dict[str, str]:
    """Build `output` from `source`; returns the manifest (original path → fingerprinted)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    manifest = {}
    for relative in sources(source, output):
        content = (source / relative).read_bytes()
        name = fingerprinted(relative, content)
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        if relative.suffix in COMPRESSIBLE:
            for suffix, packed in (
                (".br", brotli.compress(content, quality=11)),
                (".gz", gzip.compress(content, compresslevel=9, mtime=0)),
            ):
                if len(packed) < len(content):
                    target.with_name(target.name + suffix).write_bytes(packed)
        manifest[relative.as_posix()] = name.as_posix()
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    staging.chmod(0o755)
    old = output.with_name(f".{output.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if output.exists():
        output.rename(old)
    staging.rename(output)
    shutil.rmtree(old, ignore_errors=True)
    return manifest


def main() -> None:
    manifest = build()
    print(f"static/dist: {len(manifest)} files fingerprinted and precompressed", file=sys.stderr)


if __name__ == "__main__":
    main()
