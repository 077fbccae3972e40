"""The host's frame sizing (host_app/static/bus/sizing.js) in Chromium, with a manual scheduler.

Every test is one `page.evaluate`: HARNESS (below) followed by the test's body. Animation
frames run only when the body calls `frame()`.
"""

import pytest

pytestmark = pytest.mark.browser

# The harness: `sizer` tracks app "products" (an iframe in a slot); `frame()` runs the
# animation frame the sizer asked for; `logs` holds what it logged; `plain(value)` a JSON copy.
HARNESS = """
const { FrameSizer, MAX_HEIGHT, MIN_HEIGHT } = await import("/static/bus/sizing.js");
let frames = [];
const logs = [];
const sizer = new FrameSizer({
  schedule: (fn) => frames.push(fn),
  onLog: (entry) => logs.push(entry),
});
const slot = document.createElement("section");
const iframe = document.createElement("iframe");
slot.append(iframe);
document.body.append(slot);
sizer.track("products", iframe);
const frame = () => {
  const due = frames;
  frames = [];
  for (const fn of due) fn();
};
const shown = () => ({
  style: iframe.style.height,
  slot: slot.style.getPropertyValue("--frame-height"),
  ...sizer.snapshot().products,
});
const plain = (value) => JSON.parse(JSON.stringify(value ?? null));
"""


def run(page, body: str, arg=None):
    """Evaluate HARNESS + body in the page and return its JSON result."""
    return page.evaluate(f"async (arg) => {{\n{HARNESS}\n{body}\n}}", arg)


def test_a_report_sizes_the_frame_and_tells_its_slot(js):
    """The next animation frame makes the iframe as tall as reported (rounded up), and the
    slot learns the height (the sticky cart uses it)."""
    out = run(
        js,
        """
        sizer.report("products", 812.25);
        const before = shown();
        frame();
        return plain({ before, after: shown(), pending: frames.length });
        """,
    )
    assert out["before"]["style"] == ""
    assert out["after"] == {
        "style": "813px",
        "slot": "813px",
        "height": 813,
        "reports": 1,
        "layouts": 1,
    }
    assert out["pending"] == 0


def test_a_flood_of_reports_costs_one_layout_with_the_last(js):
    """10,000 reports before an animation frame: one frame scheduled, one layout, the last
    height applied."""
    out = run(
        js,
        """
        for (let i = 0; i < 10000; i += 1) sizer.report("products", 400 + (i % 97));
        sizer.report("products", 640);
        const scheduled = frames.length;
        frame();
        return plain({ scheduled, after: shown() });
        """,
    )
    assert out["scheduled"] == 1
    assert out["after"]["height"] == 640
    assert out["after"]["reports"] == 10001
    assert out["after"]["layouts"] == 1


@pytest.mark.parametrize(
    ("height", "expected"),
    [
        ("1e9", "MAX_HEIGHT"),
        ("Infinity", "MAX_HEIGHT"),
        ("-1e9", "MIN_HEIGHT"),
        ("-Infinity", "MIN_HEIGHT"),
        ("0", "MIN_HEIGHT"),
        ("MAX_HEIGHT + 0.5", "MAX_HEIGHT"),
    ],
)
def test_an_absurd_size_is_clamped_and_logged_once_per_document(js, height, expected):
    """Too tall or too short is brought within the bounds; the first clamp of a document is
    logged (with what was reported), a repeat is not, a new document's is again."""
    out = run(
        js,
        f"""
        sizer.report("products", {height});
        frame();
        const first = shown();
        sizer.report("products", 500);
        frame();
        sizer.report("products", {height});
        frame();
        const repeated = logs.length;
        sizer.connected("products");
        sizer.report("products", {height});
        frame();
        return plain({{ first, expected: {expected}, repeated, logs }});
        """,
    )
    assert out["first"]["height"] == out["expected"]
    assert out["first"]["style"] == f"{out['expected']}px"
    assert out["repeated"] == 1
    assert len(out["logs"]) == 2
    entry = out["logs"][0]
    assert (entry["type"], entry["app"], entry["verdict"]) == ("size", "products", "clamped")
    assert entry["height"] == out["expected"]


def test_the_bounds_are_a_phone_screen_or_two_and_twenty_screens(js):
    """The bounds themselves: a frame cannot vanish, nor grow past 16,000 px."""
    out = run(js, "return plain({ MIN_HEIGHT, MAX_HEIGHT });")
    assert out == {"MIN_HEIGHT": 120, "MAX_HEIGHT": 16000}


@pytest.mark.parametrize(
    "report",
    ['"900"', "null", "undefined", "NaN", "{ valueOf: () => 900 }", "[900]", "true", "900n"],
)
def test_a_report_that_is_not_a_number_changes_nothing(js, report):
    """Anything but a number is counted and ignored: no frame scheduled, no layout, no log."""
    out = run(
        js,
        f"""
        sizer.report("products", 500);
        frame();
        sizer.report("products", {report});
        const scheduled = frames.length;
        frame();
        return plain({{ scheduled, after: shown(), logs }});
        """,
    )
    assert out["scheduled"] == 0
    assert out["after"]["height"] == 500
    assert out["after"]["reports"] == 2
    assert out["after"]["layouts"] == 1
    assert out["logs"] == []


def test_an_unknown_app_is_ignored(js):
    """A report for an app the sizer does not track schedules nothing."""
    out = run(
        js,
        """
        sizer.report("checkout", 500);
        sizer.report("__proto__", 500);
        return plain({ scheduled: frames.length, sizes: sizer.snapshot() });
        """,
    )
    assert out["scheduled"] == 0
    assert list(out["sizes"]) == ["products"]


def test_a_hidden_frame_leaves_its_slot_to_the_fallback(js):
    """While the frame is hidden (its fallback shows), the slot has no frame height; shown
    again, it has."""
    out = run(
        js,
        """
        sizer.report("products", 2400);
        frame();
        iframe.hidden = true;
        sizer.refresh("products");
        const hidden = shown().slot;
        iframe.hidden = false;
        sizer.refresh("products");
        return plain({ hidden, shown: shown().slot });
        """,
    )
    assert out == {"hidden": "", "shown": "2400px"}
