"""static/cohort.js in a page: the draw kept per session, the pins, and what a page runs."""

import pytest

pytestmark = pytest.mark.browser

RUN = """async (steps) => {
  const { Cohort } = await import("/static/cohort.js");
  sessionStorage.clear();
  const app = { release: 1, url: "http://s", manifest: "m1",
                canary: { release: 2, url: "http://c", manifest: "m2", share: 30 } };
  const seen = {};
  for (const [name, asked] of steps) {
    const cohort = new Cohort(sessionStorage, asked);
    seen[name] = { draw: cohort.draw, pin: cohort.pin, runs: cohort.choose(app) };
  }
  return seen;
}"""


def test_the_draw_is_kept_for_the_session(js):
    """A second page of the session finds the same number; a pin from the query sticks
    across later pages until `draw` clears it."""
    seen = js.evaluate(
        RUN,
        [["first", None], ["reload", None], ["pinned", "canary"], ["after", None],
         ["cleared", "draw"], ["bogus", "everyone"]],
    )  # fmt: skip
    assert 0 <= seen["first"]["draw"] < 100
    assert {page["draw"] for page in seen.values()} == {seen["first"]["draw"]}
    assert [seen[p]["pin"] for p in ("first", "pinned", "after", "cleared", "bogus")] == [
        None,
        "canary",
        "canary",
        None,
        None,
    ]
    assert seen["pinned"]["runs"] == {
        "release": 2,
        "url": "http://c",
        "manifest": "m2",
        "canary": True,
    }
    expected = 2 if seen["first"]["draw"] < 30 else 1
    assert seen["first"]["runs"]["release"] == expected


def test_share_pins_and_bad_pins(js):
    """Under the share is canary, at or over it stable; pins override; a bad pin throws."""
    result = js.evaluate(
        """async () => {
          const { Cohort } = await import("/static/cohort.js");
          const cohort = new Cohort(null);
          cohort.draw = 29.5;
          const at = (share) => cohort.inCanary({ share });
          const before = [at(30), at(29.5), at(10), cohort.inCanary(null)];
          cohort.setPin("stable");
          const stable = at(99);
          cohort.setPin("canary");
          const canary = [at(1), cohort.inCanary(null)];
          let error = null;
          try { cohort.setPin("all"); } catch (e) { error = e.name; }
          return { before, stable, canary, error, pin: cohort.pin };
        }"""
    )
    assert result == {
        "before": [True, False, False, False],
        "stable": False,
        "canary": [True, False],
        "error": "TypeError",
        "pin": "canary",
    }
