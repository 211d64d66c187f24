"""Build the static frontend: assets renamed by their content hash (cached for a year by
the frontend role), index.html pointing at them. Usage: build.py OUTPUT_DIR"""
from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent / "src"


def build(output: Path) -> dict[str, str]:
    if output.exists():
        shutil.rmtree(output)
    (output / "assets").mkdir(parents=True)
    names = {}
    for asset in sorted(SRC.glob("*.*")):
        if asset.name == "index.html":
            continue
        digest = hashlib.sha256(asset.read_bytes()).hexdigest()[:12]
        names[asset.name] = f"{asset.stem}.{digest}{asset.suffix}"
        shutil.copy(asset, output / "assets" / names[asset.name])
    index = (SRC / "index.html").read_text()
    for name, hashed in names.items():
        index = index.replace("{{" + name + "}}", hashed)
    (output / "index.html").write_text(index)
    return names


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
