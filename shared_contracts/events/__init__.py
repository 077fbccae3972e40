"""The event catalog: importing this package registers every contract."""

from shared_contracts.events import cart, notification, order
from shared_contracts.events.cart import CartItemAddedV1, CartItemAddedV2, CartUpdatedV1
from shared_contracts.events.notification import NotificationShowV1
from shared_contracts.events.order import OrderPlacedV1

__all__ = [
    "CartItemAddedV1",
    "CartItemAddedV2",
    "CartUpdatedV1",
    "NotificationShowV1",
    "OrderPlacedV1",
    "cart",
    "notification",
    "order",
]
