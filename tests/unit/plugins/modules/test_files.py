"""files: compare first, then change only what differs; check, apply, check, apply."""
from __future__ import annotations

import getpass
import grp
import os
import stat

from ansible_collections.tdah.platform.plugins.modules import files

OWNER = getpass.getuser()
GROUP = grp.getgrgid(os.getgid()).gr_name


def _args(tmp_path, **extra):
    entries = [
        {"path": str(tmp_path / "conf.d"), "state": "directory", "mode": "0750"},
        {"path": str(tmp_path / "conf.d" / "a.conf"), "content": "a = 1\n", "mode": "0640"},
        {"path": str(tmp_path / "gone"), "state": "absent"},
    ]
    for entry in entries:
        entry.update(owner=OWNER, group=GROUP)
    return {"files": entries, **extra}


def _mode(path) -> str:
    return "%04o" % stat.S_IMODE(os.stat(path).st_mode)


def test_check_apply_check_apply(tmp_path, run_module):
    (tmp_path / "gone").write_text("x")
    checked = run_module(files, {**_args(tmp_path), "_ansible_check_mode": True})
    assert checked["changed"] and len(checked["changed_paths"]) == 3
    assert not (tmp_path / "conf.d").exists() and (tmp_path / "gone").exists()

    applied = run_module(files, _args(tmp_path))
    assert applied["changed"] and applied["content_changed"] == applied["changed_paths"]
    assert (tmp_path / "conf.d" / "a.conf").read_text() == "a = 1\n"
    assert _mode(tmp_path / "conf.d") == "0750" and _mode(tmp_path / "conf.d" / "a.conf") == "0640"
    assert not (tmp_path / "gone").exists()

    assert not run_module(files, {**_args(tmp_path), "_ansible_check_mode": True})["changed"]
    assert not run_module(files, _args(tmp_path))["changed"]


def test_a_mode_drift_is_fixed_without_touching_the_content(tmp_path, run_module):
    run_module(files, _args(tmp_path))
    target = tmp_path / "conf.d" / "a.conf"
    os.chmod(target, 0o666)
    fixed = run_module(files, _args(tmp_path))
    assert fixed["changed_paths"] == [str(target)] and fixed["content_changed"] == []
    assert _mode(target) == "0640"


def test_a_new_file_without_mode_is_0644(tmp_path, run_module):
    run_module(files, {"files": [{"path": str(tmp_path / "b"), "content": "b\n", "owner": OWNER, "group": GROUP}]})
    assert _mode(tmp_path / "b") == "0644"


def test_content_that_fails_validation_is_not_written(tmp_path, run_module):
    target = tmp_path / "v.conf"
    target.write_text("good\n")
    result = run_module(files, {"files": [{"path": str(target), "content": "bad\n", "owner": OWNER, "group": GROUP,
                                           "validate": "grep -q good %s"}]})
    assert result["failed"] and "validating the new" in result["msg"] and "nothing was changed" in result["msg"]
    assert target.read_text() == "good\n"
    assert [p.name for p in tmp_path.iterdir()] == ["v.conf"], "the temporary copy is left behind"


def test_the_diff_shows_before_and_after(tmp_path, run_module):
    target = tmp_path / "d"
    target.write_text("old\n")
    result = run_module(files, {"files": [{"path": str(target), "content": "new\n", "owner": OWNER, "group": GROUP}],
                                "_ansible_diff": True})
    assert result["diff"] == [{"before_header": str(target), "after_header": str(target), "before": "old\n", "after": "new\n"}]


def test_a_directory_that_is_not_empty_is_not_removed(tmp_path, run_module):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    result = run_module(files, {"files": [{"path": str(tmp_path / "full"), "state": "absent"}]})
    assert result["failed"] and "not empty" in result["msg"]


def test_a_failed_check_leaves_the_whole_set_as_it_was(tmp_path, run_module):
    first, second = tmp_path / "first.conf", tmp_path / "second.conf"
    first.write_text("one\n")
    second.write_text("good\n")
    result = run_module(files, {"files": [
        {"path": str(first), "content": "changed\n", "owner": OWNER, "group": GROUP},
        {"path": str(tmp_path / "new.d"), "state": "directory", "owner": OWNER, "group": GROUP},
        {"path": str(second), "content": "bad\n", "owner": OWNER, "group": GROUP, "validate": "grep -q good %s"}]})
    assert result["failed"] and not result.get("changed")
    assert first.read_text() == "one\n" and second.read_text() == "good\n" and not (tmp_path / "new.d").exists()


def test_a_file_in_a_new_directory_is_validated_before_the_directory_exists(tmp_path, run_module):
    target = tmp_path / "new.d" / "x.conf"
    result = run_module(files, {"files": [
        {"path": str(tmp_path / "new.d"), "state": "directory", "owner": OWNER, "group": GROUP},
        {"path": str(target), "content": "good\n", "owner": OWNER, "group": GROUP, "validate": "grep -q good %s"}]})
    assert result["changed"] and target.read_text() == "good\n"


def test_a_numeric_mode_is_the_mode_yaml_read(tmp_path, run_module):
    run_module(files, {"files": [{"path": str(tmp_path / "n"), "content": "n\n", "owner": OWNER, "group": GROUP,
                                  "mode": 0o640}]})
    assert _mode(tmp_path / "n") == "0640"


def test_a_bundle_is_built_from_files_on_the_host_and_its_diff_hides_them(tmp_path, run_module):
    (tmp_path / "full.pem").write_text("CERT")
    (tmp_path / "key.pem").write_text("KEY\n")
    entry = {"path": str(tmp_path / "bundle.pem"), "sources": [str(tmp_path / "full.pem"), str(tmp_path / "key.pem")],
             "mode": "0600", "owner": OWNER, "group": GROUP}
    built = run_module(files, {"files": [entry], "_ansible_diff": True})
    assert built["changed"] and (tmp_path / "bundle.pem").read_text() == "CERT\nKEY\n"
    assert _mode(tmp_path / "bundle.pem") == "0600"
    assert "KEY" not in str(built.get("diff"))
    assert not run_module(files, {"files": [entry]})["changed"]
    (tmp_path / "key.pem").write_text("NEWKEY\n")
    assert run_module(files, {"files": [entry]})["content_changed"] == [entry["path"]]
    assert (tmp_path / "bundle.pem").read_text() == "CERT\nNEWKEY\n"


def test_a_missing_source_changes_nothing(tmp_path, run_module):
    entry = {"path": str(tmp_path / "bundle.pem"), "sources": [str(tmp_path / "none.pem")], "owner": OWNER, "group": GROUP}
    failed = run_module(files, {"files": [entry]})
    assert failed["failed"]
    assert "source %s does not exist" % (tmp_path / "none.pem") in failed["msg"]
    assert not (tmp_path / "bundle.pem").exists()
