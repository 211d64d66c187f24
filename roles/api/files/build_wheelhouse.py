"""Build a release's wheelhouse on the controller: the application's wheel and every
dependency as wheels for the hosts' Python and architecture, with a SHA256SUMS file.

Written to a temporary directory beside OUTPUT and renamed into place at the end, so an
interrupted build leaves no wheelhouse that looks complete.

Usage: build_wheelhouse.py --source SRC --package NAME --version V --target 3.11.2-x86_64
                           [--constraints FILE] --output DIR
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PLATFORMS = {
    "x86_64": ["manylinux2014_x86_64", "manylinux_2_28_x86_64", "manylinux_2_34_x86_64", "linux_x86_64"],
    "aarch64": ["manylinux2014_aarch64", "manylinux_2_28_aarch64", "manylinux_2_34_aarch64", "linux_aarch64"],
}


def pip(*args: str) -> None:
    argv = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"pip failed ({' '.join(args[:1])}): {done.stderr.strip()[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("source", "package", "version", "target", "output"):
        parser.add_argument("--" + name, required=True)
    parser.add_argument("--constraints", default="")
    args = parser.parse_args()
    python, sep, arch = args.target.partition("-")
    parts = python.split(".")
    if not sep or arch not in PLATFORMS or len(parts) != 3 or not all(p.isdigit() for p in parts):
        sys.exit(f"unknown target {args.target!r} (expected X.Y.Z-x86_64 or X.Y.Z-aarch64)")
    abi = f"cp{parts[0]}{parts[1]}"
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=output.name + ".", dir=output.parent))
    try:
        source = args.source
        if source.endswith(".whl"):
            shutil.copy(source, work)
        else:
            pip("wheel", "--no-deps", "--quiet", "--wheel-dir", str(work), source)
        wheels = list(work.glob("*.whl"))
        name = args.package.replace("-", "_").lower()
        app = [w for w in wheels if w.name.lower().startswith(f"{name}-{args.version}-")]
        if len(app) != 1:
            sys.exit(f"{source} did not give a wheel of {args.package} {args.version} (got "
                     f"{[w.name for w in wheels]}): does the source's version match api_release_version?")
        # The pinned list is downloaded as a whole too: pip evaluates dependency markers
        # against the controller's Python, so a dependency only the hosts' Python needs
        # (python_full_version < ...) is added by pinning it there.
        constraints = ["--constraint", args.constraints, "--requirement", args.constraints] if args.constraints else []
        platforms = [arg for p in PLATFORMS[arch] for arg in ("--platform", p)]
        pip("download", "--quiet", "--only-binary=:all:", "--dest", str(work), *platforms,
            "--python-version", python, "--implementation", "cp", "--abi", abi,
            *constraints, str(app[0]))
        sums = "".join(f"{hashlib.sha256(w.read_bytes()).hexdigest()}  {w.name}\n"
                       for w in sorted(work.glob("*.whl")))
        (work / "SHA256SUMS").write_text(sums)
        work.chmod(0o755)
        if output.exists():
            shutil.rmtree(output)
        work.rename(output)
    finally:
        if work.exists():
            shutil.rmtree(work)
    print(f"{output}: {sums.count(chr(10))} wheels")


if __name__ == "__main__":
    main()
