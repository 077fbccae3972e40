"""One shopper: a browser context of its own, doing what a shopper does, through the pages."""

import contextlib
import random
import re

from playwright.sync_api import Browser, Error
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from e2e.diagnostics import host_state
from e2e.pages import HostPage
from e2e.soak.record import ShopperRecord

# Messages the chaos explains: an app that is down, slow, restarting or swapped away answers
# with an error, or not at all, and the pages say so in the console.
EXPLAINED = re.compile(
    r"Failed to load resource|net::ERR_|WebSocket|503|502|500|Failed to fetch|NetworkError"
    r"|timeout|aborted|unload|frame",
    re.IGNORECASE,
)
ANSWER_MS = 8_000
# In the products frame: the id of the newest add of a product that this frame sent.
LAST_ADD_ID = """(product) => {
  const sent = window.mfe.history().filter((e) => e.direction === "sent"
    && e.event === "cart:item-added" && e.data.productId === product);
  return sent.length ? sent[sent.length - 1].id : null;
}"""


# The host's own verdicts: an add refused with one of these was never accepted. Any other
# answer (a timeout, a refused handshake) leaves open whether the host took it.
REFUSALS = (
    "invalid",
    "unknown-event",
    "unknown-version",
    "not-allowed",
    "too-large",
    "rate-limited",
    "no-conversion",
)


def accepted(answer: str) -> bool | None:
    """True for *Added*, False for a verdict that refused it, None when it is not known."""
    if answer.startswith("Added"):
        return True
    reason = answer.removeprefix("Not added: ").split(" ", 1)[0]
    return False if answer.startswith("Not added") and reason in REFUSALS else None


class Shopper:
    """A browser context with the shop open, and the soak's record of what it did."""

    def __init__(self, browser: Browser, host_url: str, name: str):
        self.context = browser.new_context()
        self.page = HostPage(self.context.new_page(), host_url)
        self.record = ShopperRecord(name)
        self.reloads = 0
        # The cart of an order whose answer was lost, until the cart shows what became of it.
        self.pending_order: dict[str, int] | None = None

    def open(self) -> None:
        """Load the shop; frames that are down show their fallback, which is fine."""
        self.page.page.goto(self.page.url + "/")
        self._wait_ready()

    def _wait_ready(self) -> None:
        # An app down at this moment shows its fallback; the next action copes with it.
        for app in ("products", "checkout"):
            with contextlib.suppress(PlaywrightTimeout, Error):
                self.page.wait_connected(app, timeout=ANSWER_MS)

    def reload(self) -> None:
        """Reload the page mid-flight, as an impatient shopper does."""
        self.reloads += 1
        try:
            self.page.page.reload(wait_until="commit")
        except Error:
            return
        self._wait_ready()

    def add(self, rng: random.Random) -> None:
        """Click *add to cart* on a random product and note the answer the card shows."""
        products = self.page.products()
        try:
            cards = products.locator.get_by_test_id("product-card")
            count = cards.count()
            if not count:
                return
            card = cards.nth(rng.randrange(count))
            product = card.get_attribute("data-product-id", timeout=ANSWER_MS)
            quantity = rng.randint(1, 3)
            card.get_by_label("Quantity").fill(str(quantity), timeout=ANSWER_MS)
            card.get_by_test_id("add-to-cart").click(timeout=ANSWER_MS)
        except (PlaywrightTimeout, Error):
            return  # the click never happened: nothing to note
        text = self._answer(card)
        # The card says how many it sent: a deploy may have swapped the frame between typing
        # the quantity and the click, and the new frame sends its own (1).
        sent = re.match(r"Added (\d+)", text)
        quantity = int(sent[1]) if sent else quantity
        # The event's id, so a loss can be traced to checkout's applied events (or not).
        event_id = self._last_add_id(product) if sent else None
        self.record.history.append((product, quantity, text, event_id))
        self.record.added(product, quantity, accepted(text))

    def _last_add_id(self, product: str) -> str | None:
        """The id of the last `cart:item-added` the products frame sent for `product`."""
        frame = self.page.frame("products")
        try:
            return frame.evaluate(LAST_ADD_ID, product) if frame else None
        except Error:
            return None

    def _answer(self, card) -> str:
        """The answer the card shows (`Added …` or `Not added: …`), or "" if none came."""
        status = card.locator(".status")
        try:
            status.filter(has_text=re.compile(r"^(Added|Not added)")).wait_for(timeout=ANSWER_MS)
            return status.text_content(timeout=ANSWER_MS) or ""
        except (PlaywrightTimeout, Error):
            return ""

    def cart(self) -> dict[str, int] | None:
        """The cart the checkout frame shows (product → quantity), or None if it is not up."""
        checkout = self.page.checkout()
        try:
            # The cart section is busy until the page has loaded the cart from its server.
            checkout.locator.locator("[aria-busy='false']").first.wait_for(
                state="attached", timeout=ANSWER_MS
            )
            lines = checkout.lines
            cart = {}
            for index in range(lines.count()):
                line = lines.nth(index)
                product = line.get_attribute("data-product-id", timeout=ANSWER_MS)
                text = line.get_by_test_id("cart-item-quantity").text_content(timeout=ANSWER_MS)
                cart[product] = int(text)
            return cart
        except (PlaywrightTimeout, Error, ValueError):
            return None

    def remove(self, rng: random.Random) -> None:
        """Remove a line whose adds have all landed, so the record stays exact."""
        cart = self.cart()
        if not cart:
            return
        self.record.resolve(cart)
        whole = [p for p, q in cart.items() if q == self.record.certain[p]]
        whole = [
            p for p in whole if not self.record.uncertain[p] and not self.record.maybe_removed[p]
        ]
        if not whole:
            return
        product = rng.choice(sorted(whole))
        line = self.page.checkout().line(product)
        try:
            line.get_by_test_id("remove-item").click(timeout=ANSWER_MS)
        except PlaywrightTimeout:
            return  # never clicked (the frame is down or swapped): nothing removed
        except Error:
            self.record.removal_unknown(product)  # the frame went away during the click
            return
        try:
            line.wait_for(state="detached", timeout=ANSWER_MS)
        except (PlaywrightTimeout, Error):
            # Clicked, and no answer yet: checkout may still apply it. Its page makes one cart
            # change at a time, so a removal waits behind every delivery being saved, and a
            # slowed checkout takes seconds for each. (Counting it as not removed made the
            # soak report the line's units as lost when the removal landed later.)
            self.record.removal_unknown(product)
            return
        # A line also vanishes when a deploy swaps the frame, and the new page may read the
        # cart before the old page's removal reaches the server: only a cart without the line
        # says for sure that it was removed.
        after = self.cart()
        if after is not None and product not in after:
            self.record.removed(product)
        else:
            self.record.removal_unknown(product)

    def order(self) -> None:
        """Place the order when the cart shows exactly what the record expects."""
        cart = self.cart()
        if not cart:
            return
        self.record.resolve(cart)
        if not self.record.settled(cart):
            return
        checkout = self.page.checkout()
        frame = self.page.frame("checkout")
        try:
            # The last order's confirmation may still show: wait for a new order id instead.
            before = frame.locator("#order-id").text_content(timeout=ANSWER_MS)
            checkout.place_order(self.record.name, f"{self.record.name}@example.com", "1 Soak St")
            # The id is read in the same look that sees it change: nothing can come between.
            # A deploy may swap the frame meanwhile, and its new page has no #order-id yet: a
            # script error here would count as the page's own.
            order_id = frame.wait_for_function(
                "before => { const id = document.getElementById('order-id')?.textContent;"
                " return id && id !== before ? id : false; }",
                arg=before,
                timeout=ANSWER_MS,
            ).json_value()
        except (PlaywrightTimeout, Error):
            # The answer was lost: the order may or may not exist; the cart will tell.
            self.pending_order = cart
            return
        self.record.ordered(order_id, cart, confirmed=True)

    def settle_pending_order(self) -> bool:
        """Learn what became of an unanswered order; True once nothing is pending."""
        if self.pending_order is None:
            return True
        try:
            self.page.page.reload()
        except Error:
            return False  # the host is down or restarting: ask again later
        self._wait_ready()
        cart = self.cart()
        if cart is None:
            return False
        # An emptied cart means the server placed the order; an unchanged one, that it did not.
        if not cart:
            self.record.ordered(None, self.pending_order, confirmed=False)
        self.pending_order = None
        return True

    def page_state(self) -> dict | None:
        """What this shopper's host page says of its bus (releases, cohort, connections,
        fallbacks, outbox, last log entries), for a failure's report; None when it cannot say."""
        try:
            return host_state(self.page.page)
        except Error:
            return None

    def unexplained_errors(self) -> list[str]:
        """Console errors that no fault of the schedule explains."""
        return [error for error in self.page.errors if not EXPLAINED.search(error)]

    def close(self) -> None:
        """Close the browser context."""
        self.context.close()
