"""JSON shapes of the apps' HTTP APIs (products and checkout), shared so both sides agree."""

from pydantic import BaseModel, ConfigDict, Field

from shared_contracts.types import Count, Identifier, Message, Money, PromoCode, Quantity


class ApiModel(BaseModel):
    """Strict, frozen, ignores unknown fields."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, allow_inf_nan=False)


class Promotion(ApiModel):
    """An amount off each unit, under a promo code."""

    discount: Money
    code: PromoCode


class Product(ApiModel):
    """One catalog entry: list price and current promotion (the same in every release)."""

    id: Identifier
    name: Message
    description: Message
    price: Money = Field(description="Unit list price.")
    promotion: Promotion | None = None


class ProductList(ApiModel):
    """`GET /api/products`."""

    products: list[Product]


class CartLine(ApiModel):
    """One product in the cart."""

    productId: Identifier
    name: Message
    quantity: Quantity
    price: Money = Field(description="Unit list price.")
    discount: Money = Field(description="Amount off each unit this release applies.")
    lineTotal: Money


class Cart(ApiModel):
    """`GET /api/cart`: the cart as this checkout release charges it."""

    lines: list[CartLine]
    itemCount: Count
    total: Money
    release: int
