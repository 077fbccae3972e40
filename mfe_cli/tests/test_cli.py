"""`mfe contracts ...`: exit codes and output, called in-process and once as a real script."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mfe_cli import events, http, main
from shared_contracts import publishing, registry

REPOSITORY = Path(__file__).resolve().parents[2]
EVENT = "cart:item-added"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run `mfe ARGV` in-process; return (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def obj(props: dict, required: list[str]) -> dict:
    """A small object schema."""
    return {"type": "object", "properties": props, "required": required}


@pytest.fixture
def lock(tmp_path, monkeypatch) -> Path:
    """A writable copy of the lock that `publishing.LOCK_DIR` points at."""
    copy = tmp_path / "published"
    shutil.copytree(publishing.LOCK_DIR, copy)
    monkeypatch.setattr(publishing, "LOCK_DIR", copy)
    return copy


# --- usage ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["contracts"],
        ["contracts", "frobnicate"],
        ["contracts", "diff", "only-one"],
        ["contracts", "diff", "a", "b", "--mode", "sideways"],
        ["contracts", "export"],
        ["events", "tail", "--count", "-1"],
        ["events", "tail", "--count", "0"],
        ["events", "tail", "--count", "many"],
    ],
)
def test_argparse_usage_errors_exit_2(capsys, argv):
    """Malformed command lines stop argparse with exit code 2 and a usage message."""
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert "usage: mfe" in capsys.readouterr().err


# --- list and show -----------------------------------------------------------------------------


def test_list_names_every_version(capsys):
    """`list` prints every registered event and version, with its status."""
    code, out, _ = run(capsys, "contracts", "list")
    assert code == 0
    lines = out.splitlines()
    for contract in registry.contracts():
        assert any(
            line.split()[:3] == [contract.event, contract.version, "published"] for line in lines
        ), contract.key


def test_list_marks_unpublished_versions_new(capsys, lock):
    """A version missing from the lock is listed as new."""
    publishing.lock_file(lock, EVENT, "2.0.0").unlink()
    code, out, _ = run(capsys, "contracts", "list")
    assert code == 0
    assert any(line.split()[:3] == [EVENT, "2.0.0", "new"] for line in out.splitlines())


def test_show_defaults_to_the_latest_version(capsys):
    """`show EVENT` shows the latest version: fields, example and schema."""
    code, out, _ = run(capsys, "contracts", "show", EVENT)
    assert code == 0
    assert out.startswith(f"{EVENT}@2.0.0:")
    assert "discount" in out and "appliedPromo" in out
    schema_text = out.split("JSON Schema:\n", 1)[1]
    assert json.loads(schema_text) == registry.schema(EVENT, "2.0.0")


@pytest.mark.parametrize("argv", [[EVENT, "1.0.0"], [f"{EVENT}@1.0.0"]], ids=["two", "at"])
def test_show_a_given_version(capsys, argv):
    """`show EVENT 1.0.0` (or `EVENT@1.0.0`, as diff takes it) shows that version."""
    code, out, _ = run(capsys, "contracts", "show", *argv)
    assert code == 0
    assert out.startswith(f"{EVENT}@1.0.0:")
    assert "discount" not in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [([EVENT, "9.9.9"], "9.9.9"), (["nope:event"], "nope:event")],
    ids=["unknown-version", "unknown-event"],
)
def test_show_unknown_contract_exits_2(capsys, argv, needle):
    """Unknown events and versions are usage errors, explained on stderr."""
    code, out, err = run(capsys, "contracts", "show", *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("mfe: ") and needle in err


# --- diff ----------------------------------------------------------------------------------


def test_diff_registry_versions(capsys):
    """1.0.0 → 2.0.0 only adds optional fields: compatible, exit 0."""
    code, out, _ = run(capsys, "contracts", "diff", f"{EVENT}@1.0.0", f"{EVENT}@2.0.0")
    assert code == 0
    assert "property-added" in out and "$.discount" in out
    assert "compatible in full mode" in out and "NOT" not in out


@pytest.fixture
def removed_required(tmp_path) -> tuple[str, str]:
    """Two schema files: `b` is required in the old one and gone in the new one."""
    old = tmp_path / "old.json"
    new = tmp_path / "new.json"
    old.write_text(json.dumps(obj({"a": {"type": "integer"}, "b": {"type": "string"}}, ["a", "b"])))
    new.write_text(json.dumps(obj({"a": {"type": "integer"}}, ["a"])))
    return str(old), str(new)


@pytest.mark.parametrize(
    ("mode", "expected"), [(None, 1), ("full", 1), ("forward", 1), ("backward", 0)]
)
def test_diff_files_removed_required_field(capsys, removed_required, mode, expected):
    """Removing a required field breaks old readers (forward) but not new ones (backward)."""
    argv = ["contracts", "diff", *removed_required] + (["--mode", mode] if mode else [])
    code, out, _ = run(capsys, *argv)
    assert code == expected
    assert "property-removed" in out and "$.b" in out
    if expected:
        assert "NOT compatible" in out and "fix $.b" in out
    else:
        assert "NOT compatible" not in out


@pytest.mark.parametrize(("mode", "expected"), [("full", 1), ("backward", 0)])
def test_diff_json_output(capsys, removed_required, mode, expected):
    """`--json` prints one JSON document with the verdicts and every change."""
    code, out, _ = run(capsys, "contracts", "diff", *removed_required, "--mode", mode, "--json")
    assert code == expected
    report = json.loads(out)
    assert report["mode"] == mode
    assert report["compatible"] is (expected == 0)
    assert (report["backward"], report["forward"]) == (True, False)
    assert [(c["code"], c["path"]) for c in report["changes"]] == [("property-removed", "$.b")]
    assert (report["old"], report["new"]) == removed_required


def test_diff_identical_files(capsys, removed_required):
    """A schema compared with itself has no changes."""
    code, out, _ = run(capsys, "contracts", "diff", removed_required[0], removed_required[0])
    assert code == 0
    assert "no changes" in out


@pytest.mark.parametrize(
    "content", ["{not json", "[1, 2]", "\udcff".encode("utf-8", "surrogateescape")]
)
def test_diff_unreadable_file_exits_2(capsys, tmp_path, removed_required, content):
    """Invalid JSON, a non-object, or undecodable bytes are usage errors."""
    bad = tmp_path / "bad.json"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        bad.write_text(content)
    code, out, err = run(capsys, "contracts", "diff", str(bad), removed_required[1])
    assert code == 2
    assert str(bad) in err
    assert out == ""


@pytest.mark.parametrize("spec", ["does/not/exist.json", "nope:event@1.0.0", f"{EVENT}@9.9.9"])
def test_diff_unknown_operand_exits_2(capsys, removed_required, spec):
    """A missing file that is not EVENT@VERSION, or an unknown contract, is a usage error."""
    code, _, err = run(capsys, "contracts", "diff", removed_required[0], spec)
    assert code == 2
    assert err.startswith("mfe: ")


def test_diff_uncomparable_schema_exits_2(capsys, tmp_path, removed_required):
    """A schema the checker cannot read (a dangling $ref) is a usage error, not a crash."""
    dangling = tmp_path / "dangling.json"
    dangling.write_text(json.dumps(obj({"a": {"$ref": "#/$defs/Missing"}}, ["a"])))
    code, _, err = run(capsys, "contracts", "diff", removed_required[0], str(dangling))
    assert code == 2
    assert "cannot compare" in err


DEEP = '{"properties": {"a": ' * 400 + "{}" + "}}" * 400
DEEPER = '{"properties": {"a": ' * 3000 + "{}" + "}}" * 3000


@pytest.mark.parametrize(
    "text",
    [
        '{"type": 5}',
        '{"enum": 5}',
        '{"properties": {"a": 5}}',
        '{"type": ["string", 5]}',
        DEEP,
        DEEPER,
    ],
    ids=["type 5", "enum 5", "property 5", "type list", "400 deep", "3000 deep"],
)
def test_diff_of_json_that_is_not_a_usable_schema_exits_2(capsys, tmp_path, removed_required, text):
    """JSON that is no JSON Schema, or nested past what can be read: a usage error, no traceback."""
    bad = tmp_path / "bad.json"
    bad.write_text(text)
    code, _, err = run(capsys, "contracts", "diff", removed_required[0], str(bad))
    assert code == 2
    assert err.startswith("mfe: cannot ")


# --- check, publish, export -----------------------------------------------------------------


def test_check_real_lock(capsys):
    """The repository's lock holds."""
    code, out, _ = run(capsys, "contracts", "check")
    assert code == 0
    assert out.startswith(f"ok: {len(registry.contracts())} contract versions match the lock")


def test_check_reports_an_edited_published_schema(capsys, lock):
    """An edited lock file fails the check, naming the contract and the reason code."""
    path = publishing.lock_file(lock, EVENT, "1.0.0")
    schema = json.loads(path.read_text())
    schema["properties"]["quantity"]["maximum"] = 9999
    path.write_text(json.dumps(schema))
    code, out, _ = run(capsys, "contracts", "check")
    assert code == 1
    assert f"FAIL {EVENT}@1.0.0 [published-schema-changed]" in out
    assert "1 problem(s)" in out


def test_check_mentions_unpublished_versions(capsys, lock):
    """A registered but unpublished version passes the check and is named as pending."""
    publishing.lock_file(lock, EVENT, "2.0.0").unlink()
    code, out, _ = run(capsys, "contracts", "check")
    assert code == 0
    assert f"not yet published: {EVENT}@2.0.0" in out


def test_check_require_published_fails_on_an_unpublished_version(capsys, lock):
    """`make lint`'s strict check refuses a registered version that nobody published."""
    publishing.lock_file(lock, EVENT, "2.0.0").unlink()
    code, out, _ = run(capsys, "contracts", "check", "--require-published")
    assert code == 1
    assert f"FAIL not yet published: {EVENT}@2.0.0" in out
    assert "mfe contracts publish" in out


def test_check_require_published_passes_on_the_real_lock(capsys):
    """Every version in the repository is published."""
    code, out, _ = run(capsys, "contracts", "check", "--require-published")
    assert code == 0
    assert "not yet published" not in out


def test_publish_writes_missing_versions_then_nothing(capsys, lock):
    """`publish` restores a missing version once; the second run has nothing to do."""
    path = publishing.lock_file(lock, EVENT, "2.0.0")
    path.unlink()
    code, out, _ = run(capsys, "contracts", "publish")
    assert code == 0
    assert "published published/cart.item-added/2.0.0.json" in out
    assert json.loads(path.read_text()) == registry.schema(EVENT, "2.0.0")
    code, out, _ = run(capsys, "contracts", "publish")
    assert code == 0
    assert "nothing new to publish" in out


def test_publish_refuses_while_check_fails(capsys, lock):
    """`publish` exits 1 and writes nothing while a published schema was edited."""
    edited = publishing.lock_file(lock, EVENT, "1.0.0")
    edited.write_text(json.dumps({"type": "object"}))
    missing = publishing.lock_file(lock, EVENT, "2.0.0")
    missing.unlink()
    code, out, _ = run(capsys, "contracts", "publish")
    assert code == 1
    assert out.startswith("refused:")
    assert not missing.exists()


def test_export_writes_bundle_and_schemas(capsys, tmp_path):
    """`export DIR` writes contracts.json and one schema file per version."""
    target = tmp_path / "out"
    code, out, _ = run(capsys, "contracts", "export", str(target))
    assert code == 0
    bundle = json.loads((target / "contracts.json").read_text())
    assert {"contracts", "converters"} <= bundle.keys()
    assert bundle["converters"] == registry.converters.export()
    for contract in registry.contracts():
        assert contract.version in bundle["contracts"][contract.event]
        path = target / "schemas" / contract.event.replace(":", ".") / f"{contract.version}.json"
        assert json.loads(path.read_text()) == contract.schema
    assert f"wrote {len(registry.contracts()) + 1} files" in out


def test_export_to_an_unwritable_place_exits_2(capsys, tmp_path):
    """Exporting below a regular file is a usage error."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(capsys, "contracts", "export", str(blocker / "out"))
    assert code == 2
    assert "cannot write" in err


def test_console_script_check():
    """The installed `mfe` script runs and exits 0 on the real lock."""
    script = REPOSITORY / ".venv" / "bin" / "mfe"
    assert script.exists(), f"{script} missing: install the project into .venv"
    result = subprocess.run(
        [str(script), "contracts", "check"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok: ")


@pytest.mark.parametrize("text", ["not json", "[1, 2]", "null", None, '"a"'])
def test_events_tail_skips_a_message_that_is_not_a_json_object(text):
    """The host's socket could carry anything: only JSON objects are read."""
    assert events._parsed(text) == {}


def test_events_tail_prints_an_entry_of_unusual_types_as_json():
    """An entry whose fields have other types than usual is printed raw, not a traceback."""
    odd = {"type": "ack", "at": "yesterday", "latencyMs": "fast"}
    assert json.loads(events._line_or_raw(odd)) == odd
    usual = {"type": "ack", "at": 0, "app": "checkout", "event": "e", "to": "1.0.0"}
    assert "ack e 1.0.0" in events._line_or_raw(usual)


def test_answers_nested_past_what_python_reads_are_not_json():
    """A host answer or message deeper than the json module reads is treated as not JSON."""
    deep = "[" * 5000 + "]" * 5000
    assert http._json(deep.encode())["error"] == "not-json"
    assert events._parsed(deep) == {}


def test_events_tail_says_when_a_consumer_rejected_an_event():
    """An ack that carries a rejection reads as one, with its reason and message."""
    entry = {"type": "ack", "app": "checkout", "release": 1, "event": "cart:item-added"}
    entry |= {"to": "1.0.0", "latencyMs": 3.2, "at": 0}
    assert "REJECTED" not in events.line(entry)
    rejected = events.line({**entry, "rejected": "price-mismatch", "message": "not 0.01"})
    assert "ack cart:item-added 1.0.0 in 3.2 ms, REJECTED: price-mismatch (not 0.01)" in rejected


def test_events_tail_escapes_what_a_page_could_use_to_steer_the_terminal():
    """A consumer's rejection text with a newline or an escape sequence stays on its line."""
    entry = {"type": "ack", "app": "checkout", "event": "cart:item-added", "to": "1.0.0"}
    entry |= {
        "latencyMs": 1.0,
        "at": 0,
        "rejected": "x\n00:00:00.000 admin deploy",
        "message": "\x1b[2K",
    }
    text = events.line(entry)
    assert "\n" not in text and "\x1b" not in text
    assert "REJECTED: x\\n00:00:00.000 admin deploy (\\x1b[2K)" in text


def test_the_cli_starts_without_flask_or_a_websocket_client():
    """Every `mfe` command is a new process: it loads neither the web framework (the apps'
    business) nor the WebSocket client (only `events tail` opens a socket)."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, mfe_cli; print(sorted({'flask', 'simple_websocket'} & set(sys.modules)))",
        ],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert loaded.strip() == "[]", loaded
