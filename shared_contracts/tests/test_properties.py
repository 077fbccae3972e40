"""Property tests: every valid `cart:item-added` payload converts to a valid payload."""

from hypothesis import given, settings
from hypothesis import strategies as st

from shared_contracts import registry

EVENT = "cart:item-added"
V1_FIELDS = set(registry.get(EVENT, "1.0.0").model.model_fields)
V2_ONLY = set(registry.get(EVENT, "2.0.0").model.model_fields) - V1_FIELDS

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def pattern_text(first: str, rest: str, max_size: int) -> st.SearchStrategy[str]:
    """Strings of `max_size` characters at most: one from `first`, then any from `rest`."""
    return st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(first),
        st.text(alphabet=rest, max_size=max_size - 1),
    )


# ^[A-Za-z0-9][A-Za-z0-9_-]*$, 1..64 characters.
identifiers = pattern_text(ALNUM, ALNUM + "_-", 64)
# ^[A-Z0-9][A-Z0-9-]*$, 1..32 characters.
promo_codes = pattern_text(UPPER_ALNUM, UPPER_ALNUM + "-", 32)
money = st.one_of(
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=1_000_000),
)

v1_payloads = st.fixed_dictionaries(
    {
        "itemId": identifiers,
        "productId": identifiers,
        "quantity": st.integers(min_value=1, max_value=999),
        "price": money,
    }
)
v2_payloads = st.fixed_dictionaries(
    {
        "itemId": identifiers,
        "productId": identifiers,
        "quantity": st.integers(min_value=1, max_value=999),
        "price": money,
    },
    optional={"discount": st.none() | money, "appliedPromo": st.none() | promo_codes},
)


def test_the_strategies_cover_the_version_difference():
    """Sanity: 2.0.0 adds exactly discount and appliedPromo, which the strategy generates."""
    assert sorted(V2_ONLY) == ["appliedPromo", "discount"]


@settings(max_examples=200, deadline=None)
@given(v2_payloads)
def test_any_valid_v2_payload_converts_to_a_valid_v1_payload(data):
    """2.0.0 → 1.0.0 keeps every 1.0.0 field unchanged and drops the 2.0.0-only ones."""
    registry.validate_data(EVENT, "2.0.0", data)
    out = registry.converters.convert(EVENT, data, "2.0.0", "1.0.0")
    model = registry.validate_data(EVENT, "1.0.0", out)
    assert {name: out[name] for name in V1_FIELDS} == {name: data[name] for name in V1_FIELDS}
    assert model.model_dump() == {name: data[name] for name in V1_FIELDS}
    assert not (out.keys() & V2_ONLY)


@settings(max_examples=200, deadline=None)
@given(v1_payloads)
def test_any_valid_v1_payload_converts_to_a_valid_v2_payload(data):
    """1.0.0 → 2.0.0 yields a valid 2.0.0 payload with the same 1.0.0 fields."""
    registry.validate_data(EVENT, "1.0.0", data)
    out = registry.converters.convert(EVENT, data, "1.0.0", "2.0.0")
    model = registry.validate_data(EVENT, "2.0.0", out)
    assert {name: out[name] for name in V1_FIELDS} == data
    assert model.discount is None and model.appliedPromo is None


@settings(max_examples=200, deadline=None)
@given(v2_payloads)
def test_v2_survives_a_round_trip_through_v1_minus_the_promotion(data):
    """2.0.0 → 1.0.0 → 2.0.0 gives back the 1.0.0 part; the promotion is lost, not invented."""
    down = registry.converters.convert(EVENT, data, "2.0.0", "1.0.0")
    up = registry.converters.convert(EVENT, down, "1.0.0", "2.0.0")
    model = registry.validate_data(EVENT, "2.0.0", up)
    assert model.discount is None and model.appliedPromo is None
    assert {name: up[name] for name in V1_FIELDS} == {name: data[name] for name in V1_FIELDS}
