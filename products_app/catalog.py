"""The catalog and its promotions: products owns this data; both releases serve the same."""

from decimal import Decimal

from shared_contracts.api import Product, Promotion

# Prices are exact decimals here; the API serves them as JSON numbers with two decimals.
_PRODUCTS = [
    (
        "dripper",
        "Ceramic Dripper",
        "A cone dripper that holds heat for an even pour.",
        "24.00",
        ("4.00", "POUR-4"),
    ),
    (
        "kettle",
        "Gooseneck Kettle",
        "Steady, slow pours with a thermometer in the lid.",
        "49.00",
        ("7.50", "KETTLE-15"),
    ),
    ("grinder", "Burr Grinder", "Forty grind settings, from espresso to cold brew.", "89.99", None),
    (
        "beans",
        "Single-Origin Beans",
        "250 g of washed Ethiopian beans, roasted this week.",
        "16.00",
        ("2.00", "BEANS-2"),
    ),
    ("scale", "Pour-over Scale", "Weighs to 0.1 g and times the brew.", "29.99", None),
    ("mug", "Stoneware Mug", "Hand-glazed, 350 ml, dishwasher safe.", "14.50", None),
    ("filters", "Paper Filters", "100 unbleached filters that fit the dripper.", "5.25", None),
]


def _product(pid, name, description, price, promo) -> Product:
    promotion = (
        Promotion(discount=float(Decimal(promo[0])), code=promo[1]) if promo is not None else None
    )
    return Product(
        id=pid, name=name, description=description, price=float(Decimal(price)), promotion=promotion
    )


PRODUCTS: dict[str, Product] = {row[0]: _product(*row) for row in _PRODUCTS}


def all_products() -> list[Product]:
    """Every product, in catalog order."""
    return list(PRODUCTS.values())


def find(product_id: str) -> Product | None:
    """One product by id, or None."""
    return PRODUCTS.get(product_id)
