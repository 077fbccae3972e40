"""`mfe contracts asyncapi`: prints or writes the catalog's AsyncAPI 3.0 document."""

import json

from mfe_cli import main


def test_cli_prints_and_writes_the_document(tmp_path, capsys):
    """`asyncapi` prints the document; `-o FILE` writes it."""
    assert main(["contracts", "asyncapi"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["asyncapi"] == "3.0.0"
    out = tmp_path / "catalog.json"
    assert main(["contracts", "asyncapi", "-o", str(out)]) == 0
    assert json.loads(out.read_text()) == printed
    assert main(["contracts", "asyncapi", "-o", str(tmp_path / "missing" / "x.json")]) == 2
