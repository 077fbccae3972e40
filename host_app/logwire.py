"""Log batches as pages send them: packed rows (see `packLog` in static/realtime.js) or objects.

A packed batch names each list of keys once (`shapes`) and sends every entry as a row: the
index of its shape, then its values in that order. Unpacked here, entries are plain dicts
again, so the event log, the inspectors and `mfe events tail` never see the wire form.
"""

MAX_ROWS = 500
MAX_SHAPES = 256
# A shape's keys are repeated in every entry unpacked from it, so they are kept small: real
# entries have about a dozen short keys. Otherwise a small message could unpack into a large
# log (sent to every inspector and kept in the ring).
MAX_KEYS = 24
MAX_KEY_LENGTH = 32
MAX_SHAPE_CHARACTERS = 256


def _valid_shape(shape) -> bool:
    return (
        isinstance(shape, list)
        and len(shape) <= MAX_KEYS
        and all(isinstance(key, str) and len(key) <= MAX_KEY_LENGTH for key in shape)
        and sum(len(key) for key in shape) <= MAX_SHAPE_CHARACTERS
        and len(set(shape)) == len(shape)
    )


def unpack(message: dict) -> tuple[list[dict], int]:
    """The entries of a `log` message, and how many of its rows or entries were malformed."""
    if isinstance(message.get("rows"), list):
        shapes = message.get("shapes")
        if not isinstance(shapes, list) or len(shapes) > MAX_SHAPES:
            return [], len(message["rows"][:MAX_ROWS])
        valid = [shape if _valid_shape(shape) else None for shape in shapes]
        entries, malformed = [], 0
        for row in message["rows"][:MAX_ROWS]:
            index = row[0] if isinstance(row, list) and row else None
            shape = valid[index] if type(index) is int and 0 <= index < len(valid) else None
            if shape is None or len(row) != len(shape) + 1:
                malformed += 1
                continue
            entries.append(dict(zip(shape, row[1:], strict=True)))
        return entries, malformed
    if isinstance(message.get("entries"), list):
        batch = message["entries"][:MAX_ROWS]
        entries = [entry for entry in batch if isinstance(entry, dict)]
        return entries, len(batch) - len(entries)
    return [], 0
