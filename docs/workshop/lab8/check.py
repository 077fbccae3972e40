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


def pytest_counts(path: str, *options: str) -> dict[str, int]:
    """Run pytest on one file; count its tests, failures, errors and skips."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.xml"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                *options,
                f"--junitxml={report}",
                path,
            ],
            capture_output=True,
            timeout=240,
        )
        if not report.exists():
            raise NotYet(f"pytest could not run {path}")
        # The report pytest just wrote for us, not data from elsewhere.
        suite = ElementTree.parse(report).getroot().find("testsuite")  # noqa: S314
    return {key: int(suite.get(key, 0)) for key in ("tests", "failures", "errors", "skipped")}


def passes(path: str) -> None:
    """Every test of the file passes, and none is skipped."""
    counts = pytest_counts(path)
    if counts["tests"] == 0 or counts["skipped"]:
        raise NotYet(f"{counts['tests']} test(s), {counts['skipped']} skipped")
    if counts["failures"] or counts["errors"]:
        raise NotYet(
            f"{counts['failures']} failed, {counts['errors']} error(s): "
            f"`.venv/bin/pytest {path}` shows why"
        )


@points.point(
    "your contract test asserts something",
    f"in {CONTRACT}: test functions that post adds (shopper.add, shopper2.add) and assert on "
    "the cart, without pytest.skip",
)
def _():
    if len(asserting_tests(CONTRACT)) < 2:
        raise NotYet(f"asserting tests: {asserting_tests(CONTRACT) or 'none'}; the chapter has two")


@points.point(
    "your contract test passes on checkout",
    f"`.venv/bin/pytest {CONTRACT}`",
)
def _():
    passes(CONTRACT)


@points.point(
    "your contract test fails on a checkout that knows only 1.0.0",
    "test that a 2.0.0 add is taken: lab 2's naive handler refuses it, and your test must say so",
)
def _():
    counts = pytest_counts(CONTRACT, "-p", "lab8.naive_checkout")
    if counts["failures"] + counts["errors"] == 0:
        raise NotYet("no test failed: none of them checks that a 2.0.0 add is taken")


@points.point(
    "your Playwright test asserts something",
    f"in {OUTAGE}: a test taking `shop` and `page` that uses expect(...) or assert",
)
def _():
    if not asserting_tests(OUTAGE):
        raise NotYet("no asserting test yet")


@points.point(
    "your Playwright test passes on a shop of its own",
    f"`.venv/bin/pytest {OUTAGE} --headed --slowmo 500` to watch it",
)
def _():
    passes(OUTAGE)


points.report()
