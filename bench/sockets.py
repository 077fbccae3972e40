"""The host with many open WebSockets: does it still answer `GET /api/deployments`?

`connections` page sockets (`{"type": "hello", "role": "page"}`) and one inspector socket are
opened from this process (`simple_websocket`, with the host's `Origin`), kept open during an
HTTP load of `GET /api/deployments`, and pinged afterwards: each must still answer.
"""

import json
import time
from pathlib import Path

import simple_websocket

from bench.server import Target, load_figure, measure
from bench.stats import figure


def _open(host: str, role: str):
    ws = simple_websocket.Client.connect(
        host.replace("http", "ws", 1) + "/ws", headers={"Origin": host}
    )
    ws.send(json.dumps({"type": "hello", "role": role}))
    return ws


def _answer(ws, kind: str, timeout: float = 10.0) -> dict | None:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        text = ws.receive(timeout=left)
        if text is None:
            return None
        message = json.loads(text)
        if message.get("type") == kind:
            return message
    return None


def run(
    shop,
    connections: int,
    duration: float,
    warmup: float,
    folder: Path,
    generator: str = "auto",
    log=print,
) -> list[dict]:
    """req/s and p99 of GET /api/deployments without and with the sockets open."""
    pgid = shop.procs["host"].pid
    target = Target(shop.host, "get-deployments")
    figures = []
    log("sockets: GET /api/deployments, no socket open ...")
    alone = measure(target, pgid, folder / "alone", duration, warmup, generator)
    figures.append(
        load_figure(
            "websockets", "GET /api/deployments, no socket open", alone, key="deployments:alone"
        )
    )

    log(f"sockets: opening {connections} page sockets and an inspector ...")
    opened = time.perf_counter()
    sockets = [_open(shop.host, "page") for _ in range(connections)]
    inspector = _open(shop.host, "inspector")
    welcomed = sum(_answer(ws, "deployments") is not None for ws in [*sockets, inspector])
    open_ms = (time.perf_counter() - opened) * 1000
    try:
        log("sockets: GET /api/deployments with them open ...")
        loaded = measure(target, pgid, folder / "loaded", duration, warmup, generator)
        alive = 0
        for i, ws in enumerate([*sockets, inspector]):
            try:
                ws.send(json.dumps({"type": "ping", "echo": i}))
                pong = _answer(ws, "pong")
                alive += pong is not None and pong.get("echo") == i
            except simple_websocket.ConnectionClosed:
                pass
    finally:
        for ws in [*sockets, inspector]:
            ws.close()
    p99 = loaded["latency_ms"]["p99"]
    total = connections + 1
    figures.append(
        load_figure(
            "websockets",
            f"GET /api/deployments, {connections} page sockets + inspector open",
            loaded,
            target="≥ 1,000 req/s, p99 ≤ 20 ms, every socket still open",
            meets=loaded["rate"] >= 1000
            and p99 is not None
            and p99 <= 20
            and alive == total
            and not loaded["errors"],
            key="deployments:sockets",
        )
    )
    figures.append(
        figure(
            "websockets",
            "sockets welcomed, then still answering a ping after the load",
            "sockets",
            total,
            value=alive,
            welcomed=welcomed,
            open_ms=open_ms,
            note=f"{welcomed}/{total} welcomed in {open_ms:.0f} ms; {alive}/{total} answered",
            key="sockets-alive",
        )
    )
    return figures
