"""Each page's script is served with its imports as one module (`/mfe/bundle/<file>`)."""

import importlib
import re

import pytest

from mfe_platform.web import modules


def factory_of(package: str):
    """An app's `create_app`, loaded by name: mfe_platform imports no app (import-linter)."""
    return importlib.import_module(package).create_app


host_app, products_app, checkout_app = map(factory_of, ("host_app", "products_app", "checkout_app"))

HOST = {"Host": "localhost:8000"}

# Every page script (and the library it imports) must fit the join: a module that outgrows it
# (export default, import(), a cycle...) fails here, not in a browser.
ENTRIES = [
    (host_app, "shell.js", ["/static/bus/router.js", "/mfe/static/validator.js"]),
    (host_app, "inspector.js", ["/static/realtime.js"]),
    (products_app, "products.js", ["/mfe/static/client.js", "/mfe/static/protocol.js"]),
    (checkout_app, "checkout.js", ["/mfe/static/client.js", "/mfe/static/batching.js"]),
]


@pytest.fixture
def make(tmp_path, monkeypatch):
    monkeypatch.setenv("MFE_DATA_DIR", str(tmp_path))
    return lambda factory: factory({"TESTING": True}).test_client()


@pytest.mark.parametrize(("factory", "entry", "parts"), ENTRIES)
def test_page_script_is_served_joined(make, factory, entry, parts):
    client = make(factory)
    response = client.get(f"/mfe/bundle/{entry}", headers=HOST)
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    text = response.get_data(as_text=True)
    for part in [f"/static/{entry}", *parts]:
        assert f"// ---- {part}\n" in text
    # No module syntax is left: the joined file is one module with no imports of its own.
    assert not re.search(r"^\s*(import|export)\b", text, re.M)
    # Dependencies run before the modules that import them, as in the browser.
    assert text.index(f"// ---- {parts[-1]}") < text.index(f"// ---- /static/{entry}")


def test_bundle_is_conditional(make):
    client = make(host_app)
    first = client.get("/mfe/bundle/shell.js", headers=HOST)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get("/mfe/bundle/shell.js", headers={**HOST, "If-None-Match": etag})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path", ["nope.js", "host.css", "../__init__.py", "..%2F__init__.py", "bus/../../shell.py"]
)
def test_bundle_serves_only_static_scripts(make, path):
    assert make(host_app).get(f"/mfe/bundle/{path}", headers=HOST).status_code == 404


def test_a_module_the_join_cannot_take_is_served_unjoined(make, monkeypatch):
    """The page keeps working (its graph loads file by file); the tests above catch the cause."""

    def refuse(*args, **kwargs):
        raise modules.BundleError("export default")

    monkeypatch.setattr(modules, "bundle", refuse)
    response = make(products_app).get("/mfe/bundle/products.js", headers=HOST)
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.get_data(as_text=True) == 'import "/static/products.js";\n'


def join(tmp_path, files: dict[str, str], entry="main.js") -> str:
    for name, text in files.items():
        (tmp_path / name).write_text(text)

    def resolve(importer, specifier):
        target = modules.within(tmp_path, importer.parent / specifier)
        if target is None:
            raise modules.BundleError(specifier)
        return target

    return modules.bundle(tmp_path / entry, resolve, lambda p: p.name).text


def test_join_keeps_names_aliases_and_order(tmp_path):
    text = join(
        tmp_path,
        {
            "a.js": 'export const A = 1;\nexport function f() { return "f"; }\n'
            "const hidden = 2;\nexport { hidden as H };\n",
            "b.js": 'import { A, f as g } from "./a.js";\n'
            "export class B { v() { return A + g(); } }\n",
            "main.js": 'import * as a from "./a.js";\nimport { B } from "./b.js";\n'
            'import "./a.js";\nglobalThis.out = [a.A, a.H, new B().v()];\n',
        },
    )
    assert text.index("// ---- a.js") < text.index("// ---- b.js") < text.index("// ---- main.js")
    assert text.count("// ---- a.js") == 1
    assert "const { A, f: g } = __module0;" in text
    assert "const a = __module0;" in text
    assert "get H() { return hidden; }" in text


@pytest.mark.parametrize(
    "source",
    [
        "export default 1;\n",
        "export let counter = 0;\n",
        'export * from "./x.js";\n',
        'import x from "./x.js";\n',
        'const m = await import("./x.js");\n',
        "console.log(import.meta.url);\n",
    ],
)
def test_join_refuses_what_it_cannot_keep_exact(tmp_path, source):
    (tmp_path / "x.js").write_text("export const X = 1;\n")
    with pytest.raises(modules.BundleError):
        join(tmp_path, {"main.js": source})


def test_join_refuses_cycles_and_escapes(tmp_path):
    with pytest.raises(modules.BundleError, match="cycle"):
        join(
            tmp_path,
            {
                "a.js": 'import { B } from "./b.js";\nexport const A = 1;\n',
                "b.js": 'import { A } from "./a.js";\nexport const B = 2;\n',
                "main.js": 'import { A } from "./a.js";\n',
            },
        )
    with pytest.raises(modules.BundleError):
        join(tmp_path, {"main.js": 'import { X } from "../outside.js";\n'})


def test_bundle_follows_edits(tmp_path):
    (tmp_path / "a.js").write_text("export const A = 1;\n")

    def resolve(importer, specifier):
        return modules.within(tmp_path, importer.parent / specifier)

    joined = modules.bundle(tmp_path / "a.js", resolve)
    assert joined.is_current()
    (tmp_path / "a.js").write_text("export const A = 22;\n")
    assert not joined.is_current()
