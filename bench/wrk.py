"""HTTP load from wrk, a native load generator, when it is installed (`apt-get install wrk`).

On a 2-core machine a Python load generator needs about 0.25 ms of CPU per request, so at
4,000 req/s it would take half the cores from the server it measures. wrk needs a tenth of
that. It drives `clients` keep-alive connections from 2 threads with bench/lua/load.lua, which
walks through sessions prepared here (a shopper token each, as checkout's page sends it).

Checking inserts: wrk stops at its deadline without waiting for requests in flight, so up to
`clients` inserts may be applied that no 201 was counted for. The check is exact in one
direction (a 201 whose unit is not in a cart is lost) and bounded in the other (more units
than 201s plus requests in flight means one was applied twice).
"""

import json
import os
import resource
import secrets
import shutil
import subprocess
from functools import cache
from pathlib import Path

from bench.memory import group_cpu_seconds
from bench.server import Client, Target

WRK = shutil.which("wrk")
SCRIPT = Path(__file__).resolve().parent / "lua" / "load.lua"
SESSIONS = 200  # carts the inserts are spread over: far from any per-cart limit


def available() -> bool:
    """Whether wrk is on the PATH."""
    return WRK is not None


@cache
def version() -> str:
    """wrk's version line, e.g. `wrk 4.1.0 [epoll]`."""
    out = subprocess.run([WRK, "-v"], capture_output=True, text=True).stdout
    return out.splitlines()[0].split(" Copyright")[0] if out else "wrk"


def _sessions(target: Target, count: int, folder: Path, name: str, lines_each: int = 0):
    """`count` fresh sessions (each with `lines_each` lines in its cart), written for Lua."""
    clients = []
    for index in range(count):
        client = Client(target, 10_000 + index)
        client.new_session()
        for n in range(lines_each):
            client.insert(n)
        clients.append(client)
    path = folder / f"{name}.sessions"
    path.write_text("".join(f"{c.token}\n" for c in clients))
    return clients, path


def _wrk(env: dict, url: str, clients: int, seconds: float) -> tuple[dict, float]:
    """Run wrk once (whole seconds, at least 1); its JSON summary and the CPU it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    threads = min(2, clients)
    command = [WRK, f"-t{threads}", f"-c{clients}", f"-d{max(1, round(seconds))}s"]
    command += ["--timeout", "10s", "-s", str(SCRIPT), url]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = next((line for line in done.stdout.splitlines() if line.startswith("{")), None)
    if done.returncode != 0 or summary is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return json.loads(summary), cpu


def run_load(
    target: Target, server_pgid: int, folder: Path, clients=8, duration=10.0, warmup=1.0
) -> dict:
    """Like `bench.server.run_load`, driven by wrk; the same keys, percentiles from wrk."""
    folder.mkdir(parents=True, exist_ok=True)
    post = target.kind == "post-item"
    path = {"get-cart": "/api/cart", "post-item": "/api/cart/items"}.get(
        target.kind, "/api/deployments"
    )
    env = dict(
        os.environ,
        MODE="post" if post else "get",
        REQUEST_PATH=path,
        ORIGIN=target.url,
        EXPECTED_STATUS="201" if post else "200",
        PRODUCTS=",".join(f"{product}:{price}" for product, price in target.products),
        SESSIONS="",
    )
    measured: list = []
    if target.kind in ("get-cart", "post-item"):
        count, lines = (SESSIONS, 0) if post else (clients, 3)
        # Warm-up inserts go to carts of their own: the measured carts count only measured 201s.
        # (`--quick` has no warm-up: it checks that the bench runs, and wrk's least is 1 s.)
        if warmup > 0:
            _, env["SESSIONS"] = _sessions(target, clients, folder, "warmup", lines)
            env["RUN"] = secrets.token_hex(4)
            _wrk(env, target.url, clients, warmup)
        measured, env["SESSIONS"] = _sessions(target, count, folder, "measured", lines)
    env["RUN"] = secrets.token_hex(4)
    server_cpu = group_cpu_seconds(server_pgid)
    summary, client_cpu = _wrk(env, target.url, clients, duration)
    server_cpu = group_cpu_seconds(server_pgid) - server_cpu
    seconds = summary["duration_us"] / 1e6
    result = {
        "requests": summary["answered"],
        "rate": summary["answered"] / seconds,
        "latency_ms": {f"p{q}": summary[f"p{q}_us"] / 1000 for q in (50, 95, 99)},
        "errors": summary["unexpected"] + summary["socket_errors"],
        "statuses": {str(summary["last_unexpected"]): summary["unexpected"]}
        if summary["unexpected"]
        else {},
        "client_cpu": client_cpu / seconds,
        "server_cpu": server_cpu / seconds,
        "duration": seconds,
        "clients": clients,
        "load_generator": version(),
    }
    if post:
        created = summary["answered"] - summary["unexpected"]
        units = sum(max(0, client.cart_units()) for client in measured)
        result.update(
            lost=max(0, created - units),
            in_flight=max(0, units - created),
            doubled=max(0, units - created - clients),
            carts=len(measured),
        )
    return result
