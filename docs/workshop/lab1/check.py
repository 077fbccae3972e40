"""Lab 1's check: your shop runs (MFE_*_URL, default ports 8000 to 8012): five processes
healthy, products 1 and checkout 1 live, the inspector and the contract page answer."""

import urllib.request

from labcheck import NotYet, Points, get_json

from mfe_platform import settings

points = Points()
HOST = settings.app_url("host")
PROCESSES = {
    "host": HOST,
    **{
        f"{app} release {release}": settings.app_url(app, release)
        for app in settings.APPS
        for release in settings.RELEASES
    },
}


for name, url in PROCESSES.items():

    @points.point(f"{name} answers at {url}", "start the shop in terminal 1: make run")
    def _(url=url):
        if get_json(f"{url}/healthz").get("status") != "ok":
            raise NotYet(f"{url}/healthz does not say ok")


@points.point("products 1 and checkout 1 are live", "`mfe reset` puts both back on release 1")
def _():
    apps = get_json(f"{HOST}/api/deployments")["apps"]
    live = {app: entry["release"] for app, entry in apps.items()}
    if live != {"products": 1, "checkout": 1}:
        raise NotYet(f"live: {live}")


for page in ("/inspector", "/contracts"):

    @points.point(f"the host serves {page}", "open it in a tab beside the shop")
    def _(page=page):
        with urllib.request.urlopen(f"{HOST}{page}", timeout=5) as reply:
            if reply.status != 200:
                raise NotYet(f"{page} answered {reply.status}")


points.report()
