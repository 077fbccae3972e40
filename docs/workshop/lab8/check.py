"""Lab 8's check: your tests (checkout_app/tests/test_lab8_contract.py and
e2e/test_lab8_outage.py) test something, pass on the shop, and the contract test fails on a
checkout that knows only 1.0.0 (lab 2's naive handler)."""

import ast
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from labcheck import NotYet, Points

CONTRACT = "checkout_app/tests/test_lab8_contract.py"
OUTAGE = "e2e/test_lab8_outage.py"
points = Points()


def asserting_tests(path: str) -> list[str]:
    """The test functions of a file that assert (assert or expect) and do not skip."""
    tree = ast.parse(Path(path).read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            text = ast.unparse(node)
            if "skip(" not in text and ("assert " in text or "expect(" in text):
                found.append(node.name)
    return found


def pytest_outcomes(*paths: str, options: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Run pytest once on the files; each file's test outcomes (passed, failure, error, skipped).

    A failure or an error carries the first line of pytest's message after a colon, so the
    hint can say why without the student running it again."""
    outcomes: dict[str, list[str]] = {path: [] for path in paths}
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options]
        subprocess.run([*command, f"--junitxml={report}", *paths], capture_output=True, timeout=240)
        if not report.exists():
            raise NotYet(f"pytest could not run {', '.join(paths)}")
        # The report pytest just wrote for us, not data from elsewhere.
        cases = ElementTree.parse(report).getroot().iter("testcase")  # noqa: S314
        for case in cases:
            # A file that cannot even be collected is reported under its name, not a class.
            name = case.get("classname") or case.get("name", "")
            path = name.replace(".", "/") + ".py"
            bad = [child for child in case if child.tag in ("failure", "error", "skipped")]
            outcomes.setdefault(path, []).append(outcome(bad[0]) if bad else "passed")
    return outcomes


def outcome(element: ElementTree.Element) -> str:
    """`skipped`, or `failure: <why>` / `error: <why>` with the first line of the message."""
    if element.tag == "skipped":
        return "skipped"
    message = (element.get("message") or "").strip()
    if message in ("", "collection failure"):
        # A file that cannot be imported says only "collection failure": the error itself is
        # the last `E ` line of its traceback.
        errors = [
            line[1:].strip() for line in (element.text or "").splitlines() if line[:2] == "E "
        ]
        message = errors[-1] if errors else message
    first = message.splitlines()[0][:200] if message else ""
    return f"{element.tag}: {first}" if first else element.tag


def passes(outcomes: list[str], path: str) -> None:
    """Every test of the file passed, and there is one at least."""
    if not outcomes or any(result != "passed" for result in outcomes):
        kinds = [result.split(":")[0] for result in outcomes]
        summary = ", ".join(f"{kinds.count(k)} {k}" for k in sorted(set(kinds))) or "none"
        reasons = [result for result in outcomes if ": " in result]
        why = f"\nfirst {reasons[0]}" if reasons else ""
        raise NotYet(f"tests: {summary}; `.venv/bin/pytest {path}` shows why{why}")


def written(path: str, needed: int) -> None:
    """At least `needed` tests of the file assert something."""
    found = asserting_tests(path)
    if len(found) < needed:
        raise NotYet(f"asserting tests: {', '.join(found) or 'none'} (wanted {needed})")


@points.point(
    "your contract test asserts something",
    f"in {CONTRACT}: the chapter's two tests, posting adds (shopper.add, shopper2.add) and "
    "asserting on the cart, without pytest.skip",
)
def _():
    written(CONTRACT, 2)


@points.point(
    "your Playwright test asserts something",
    f"in {OUTAGE}: a test taking `shop` and `page` that uses expect(...) or assert",
)
def _():
    written(OUTAGE, 1)


# Running tests that are not written yet would only say so again, slowly.
ready = [
    path
    for path, point in ((CONTRACT, "your contract test"), (OUTAGE, "your Playwright test"))
    if points.passed(f"{point} asserts something")
]
results = pytest_outcomes(*ready) if ready else {}


@points.point("your contract test passes on checkout", f"`.venv/bin/pytest {CONTRACT}`")
def _():
    if CONTRACT not in ready:
        raise NotYet("write it first")
    passes(results.get(CONTRACT, []), CONTRACT)


@points.point(
    "your contract test fails on a checkout that knows only 1.0.0",
    "test that a 2.0.0 add is taken: lab 2's naive handler refuses it, and your test must say so",
)
def _():
    if not points.passed("your contract test passes on checkout"):
        raise NotYet("first make it pass on the real checkout")
    naive = pytest_outcomes(CONTRACT, options=("-p", "lab8.naive_checkout"))[CONTRACT]
    if all(result == "passed" for result in naive):
        raise NotYet("no test failed: none of them checks that a 2.0.0 add is taken")


@points.point(
    "your Playwright test passes on a shop of its own",
    f"`.venv/bin/pytest {OUTAGE} --headed --slowmo 500` to watch it",
)
def _():
    if OUTAGE not in ready:
        raise NotYet("write it first")
    passes(results.get(OUTAGE, []), OUTAGE)


points.report()
