"""`mfe events tail`: the inspector's stream in the terminal."""

import argparse
import json
import time

from mfe_cli.exits import EXIT_OK, UsageError
from mfe_cli.http import call, host_url


def positive(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def register(commands) -> None:
    """Add `events tail`."""
    group = commands.add_parser("events", help="watch the event log")
    sub = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    tail = sub.add_parser("tail", help="print recent bus traffic and deploys, then follow live")
    tail.add_argument("--json", action="store_true", help="one JSON object per line")
    tail.add_argument("--count", type=positive, help="exit after printing this many entries")
    tail.set_defaults(handler=tail_events)


def line(entry: dict) -> str:
    """One entry as a line of text."""
    at = entry.get("at") or entry.get("received") or 0
    stamp = time.strftime("%H:%M:%S", time.localtime(at / 1000)) + f".{int(at % 1000):03d}"
    sender = entry.get("app") or "host"
    if entry.get("release"):
        sender += f"@{entry['release']}"
    kind = entry.get("type")
    if kind == "emit":
        versions = "+".join(v for v in entry.get("versions", []) if v)
        text = f"emit {entry.get('event')} {versions} -> {entry.get('verdict')}"
        if entry.get("message") and entry.get("verdict") != "accepted":
            text += f" ({entry['message']})"
    elif kind in ("deliver", "ack", "fail", "parked", "dropped"):
        conversion = (
            f"{entry.get('from')}->{entry.get('to')}" if entry.get("from") else entry.get("to")
        )
        text = f"{kind} {entry.get('event')} {conversion}"
        if kind == "ack":
            text += f" in {entry.get('latencyMs', 0):.1f} ms"
            if entry.get("rejected"):
                text += f", REJECTED: {entry['rejected']} ({entry.get('message', '')})"
    elif kind == "refused":
        what = entry.get("kind") or "message"
        text = f"refused {what} from {entry.get('origin')}: {entry.get('verdict')}"
    elif kind == "deploy" and entry.get("by") == "host" and entry.get("verdict"):
        # A canary rollout's decision, with the figures that made it.
        share = f" ({entry['share']}%)" if entry.get("share") else ""
        text = f"{entry['verdict']} {entry.get('app')} release {entry.get('release')}{share}"
        text += f": {entry.get('summary', '')}"
        sender = "rollout"
    elif kind == "deploy" and entry.get("by") == "host":
        # Only the host's own records read as deploys; a page's report never does.
        text = f"deploy {entry.get('app')} release {entry.get('release')} at {entry.get('url')}"
        if entry.get("forced"):
            text += " (FORCED: " + "; ".join(entry.get("warnings", [])) + ")"
        sender = "admin"
    else:
        text = str(kind or "?")
    # Who wrote the row, as the host's server stamped it: whatever a page reported is marked
    # `page`, its sender kept to one short word, so it can never pass for the host's record.
    by = "host" if entry.get("by") == "host" else "page"
    if by == "page":
        sender = "".join("_" if c.isspace() else c for c in str(sender))[:24]
    return printable(f"{stamp} {by} {sender:<12} {text}")


def printable(text: str) -> str:
    """`text` with control characters escaped: a page's words must not move the cursor, erase
    lines or start a line of their own in the operator's terminal."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def tail_events(args: argparse.Namespace) -> int:
    """Print the host's recent history, then every new entry as it happens (Ctrl-C stops)."""
    # Imported here: every other `mfe` command would pay for loading a WebSocket client.
    import simple_websocket

    url = host_url()
    # The WebSocket's opening handshake has no timeout: a host that takes the connection and
    # never answers would hang here for good. One request with a timeout says it answers.
    call("GET", f"{url}/healthz")
    try:
        ws = simple_websocket.Client.connect(
            url.replace("http", "ws", 1) + "/ws", headers={"Origin": url}
        )
    except (OSError, simple_websocket.ConnectionError) as error:
        raise UsageError(f"cannot open the host's WebSocket at {url}/ws: {error}") from None
    printed = 0
    try:
        ws.send(json.dumps({"type": "hello", "role": "inspector"}))
        while args.count is None or printed < args.count:
            message = _parsed(ws.receive())
            if message.get("type") != "log" or not isinstance(message.get("entries"), list):
                continue
            for entry in message["entries"]:
                if not isinstance(entry, dict) or entry.get("type") == "hello":
                    continue
                print(json.dumps(entry) if args.json else _line_or_raw(entry), flush=True)
                printed += 1
                if args.count is not None and printed >= args.count:
                    break
    except KeyboardInterrupt:
        pass
    except simple_websocket.ConnectionClosed:
        raise UsageError("the host closed the connection") from None
    finally:
        ws.close()
    return EXIT_OK


def _parsed(text) -> dict:
    """A message from the host as a JSON object, or an empty one when it is anything else."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _line_or_raw(entry: dict) -> str:
    """`line(entry)`, or the entry as JSON when its fields are not of the usual types."""
    try:
        return line(entry)
    except (TypeError, ValueError, AttributeError, OverflowError):
        return json.dumps(entry)
