"""Workshop lab 8, a contract test of your own (this is its solution): the chapter's "Test Event
Handling", on checkout's server. Checkout 1 takes a 1.0.0 add and reads a 2.0.0 add without
its discount; checkout 2 keeps the discount."""

import pytest

pytestmark = pytest.mark.lab8


def test_checkout_1_takes_a_1_0_0_add(shopper):
    """The version checkout 1 was built for."""
    answer = shopper.add("kettle", 2, version="1.0.0")
    assert answer.status_code == 201, answer.json
    assert [(line["productId"], line["quantity"]) for line in answer.json["lines"]] == [
        ("kettle", 2)
    ]


def test_checkout_1_reads_a_2_0_0_add_without_its_discount(shopper):
    """Products 2 ships first: old checkout still takes its events (forward compatibility)."""
    answer = shopper.add("kettle", 1, version="2.0.0", discount=7.5, appliedPromo="KETTLE-15")
    assert answer.status_code == 201, answer.json
    assert answer.json["lines"][0]["discount"] == 0
    assert answer.json["total"] == 49.0


def test_checkout_2_keeps_the_discount_of_a_2_0_0_add(shopper2):
    """The new field reaches the reader that knows it."""
    answer = shopper2.add("kettle", 1, version="2.0.0", discount=7.5, appliedPromo="KETTLE-15")
    assert answer.status_code == 201, answer.json
    assert answer.json["lines"][0]["discount"] == 7.5
    assert answer.json["total"] == 41.5
