"""The contract page and `mfe contracts show` mark a deprecated field (JSON Schema's flag)."""

from pydantic import BaseModel, ConfigDict, Field

from host_app import docs
from mfe_cli import contracts as contracts_cli
from mfe_cli import main
from shared_contracts import Registry
from shared_contracts.fields import describe_fields


class ToyV1(BaseModel):
    """Toy 1.0.0: `old` is on its way out, `new` replaces it."""

    model_config = ConfigDict(strict=True)

    old: str = Field(deprecated=True, description="Read `new`; still sent for old readers.")
    new: str = Field(description="What `old` meant.")


def toy_registry() -> Registry:
    """A registry of one event whose first field is deprecated."""
    fresh = Registry()
    fresh.register("toy:event", "1.0.0")(ToyV1)
    return fresh


def test_describe_fields_reads_the_deprecated_flag():
    fields = describe_fields(toy_registry().schema("toy:event", "1.0.0"))
    assert [(f.path, f.deprecated) for f in fields] == [("old", True), ("new", False)]


def test_the_contract_page_marks_a_deprecated_field(host_app_factory, monkeypatch):
    monkeypatch.setattr(docs, "registry", toy_registry())
    page = host_app_factory().test_client().get("/contracts").get_data(as_text=True)
    rows = [
        row for row in page.split("<tr>") if "<code>old</code>" in row or "<code>new</code>" in row
    ]
    assert len(rows) == 2
    assert 'data-testid="field-deprecated"' in rows[0] and "field-deprecated" not in rows[1]


def test_contracts_show_marks_a_deprecated_field(monkeypatch, capsys):
    monkeypatch.setattr(contracts_cli, "registry", toy_registry())
    assert main(["contracts", "show", "toy:event"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "DEPRECATED. Read `new`" in next(line for line in lines if line.startswith("old "))
    assert "DEPRECATED" not in next(line for line in lines if line.startswith("new "))
