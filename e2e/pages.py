"""Page objects: the host page, and each app reached through its frame."""

from playwright.sync_api import FrameLocator, Page, expect


class HostPage:
    """The host shell with its two frames."""

    def __init__(self, page: Page, url: str):
        self.page = page
        self.url = url

    def open(self) -> "HostPage":
        """Load the host page."""
        self.page.goto(self.url + "/")
        return self

    def frame(self, app: str) -> FrameLocator:
        """The frame of `products` or `checkout`."""
        return self.page.frame_locator(f"[data-testid='frame-{app}']")

    def expect_frame_app(self, app: str, release: int) -> None:
        """The frame shows `app` at `release` (its body's data attributes)."""
        body = self.frame(app).locator("body")
        expect(body).to_have_attribute("data-app", app)
        expect(body).to_have_attribute("data-release", str(release))
