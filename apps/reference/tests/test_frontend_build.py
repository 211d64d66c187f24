"""The static build: assets named by their content hash, index.html pointing at them."""
import hashlib
import importlib.util
from pathlib import Path

BUILD = Path(__file__).resolve().parents[1] / "frontend" / "build.py"


def test_assets_are_named_by_their_hash_and_linked_from_index(tmp_path):
    spec = importlib.util.spec_from_file_location("frontend_build", BUILD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    names = module.build(tmp_path / "dist")
    index = (tmp_path / "dist" / "index.html").read_text()
    assert set(names) == {"app.js", "app.css"}
    for hashed in names.values():
        content = (tmp_path / "dist" / "assets" / hashed).read_bytes()
        assert hashlib.sha256(content).hexdigest()[:12] in hashed
        assert f"/assets/{hashed}" in index
    assert "{{" not in index
