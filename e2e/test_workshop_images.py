"""Each lab page shows its own lab's pictures (`make screenshots` takes them), and they exist."""

import re

import pytest

from e2e.processes import REPOSITORY

WORKSHOP = REPOSITORY / "docs" / "workshop"
PICTURES = REPOSITORY / "docs" / "images" / "workshop"
# Labs 1-8: the pages whose pictures `make screenshots` takes (e2e/workshop_screenshots.py).
LAB_PAGES = sorted(WORKSHOP.glob("lab[1-8]-*.md"))
IMAGE_LINK = re.compile(r"!\[[^\]]*\]\(([^)]+\.png)\)")
# Pictures are committed: keep the repository light.
MAX_BYTES = 200_000


def images_of(page) -> list[str]:
    """The image paths a Markdown page links to."""
    return IMAGE_LINK.findall(page.read_text())


@pytest.mark.parametrize("page", LAB_PAGES, ids=lambda page: page.stem)
def test_a_lab_page_shows_only_its_own_labs_pictures(page):
    """Lab N links only to docs/images/workshop/labN-*.png, and every one exists."""
    lab = page.stem.split("-")[0]
    for link in images_of(page):
        path = (page.parent / link).resolve()
        assert path.parent == PICTURES, f"{page.name}: {link} is not a workshop picture"
        assert path.name.startswith(f"{lab}-"), f"{page.name}: {link} belongs to another lab"
        assert path.is_file(), f"{page.name}: {link} does not exist (run make screenshots)"


def test_every_workshop_picture_is_shown_and_small():
    """No picture is left unreferenced, and each stays under the size budget."""
    shown = {(page.parent / link).resolve() for page in LAB_PAGES for link in images_of(page)}
    pictures = sorted(PICTURES.glob("*.png"))
    assert pictures, "no workshop pictures: run make screenshots"
    for picture in pictures:
        assert picture in shown, f"{picture.name} is not shown by any lab page"
        assert picture.stat().st_size < MAX_BYTES, f"{picture.name} is over {MAX_BYTES} bytes"
