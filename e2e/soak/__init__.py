"""The seeded chaos soak: shoppers shop while processes die, deploys flip and pages reload.

`make soak` (or `python -m e2e.soak --minutes 3 --shoppers 4 --seed 7`) runs it and prints one
line of figures ending in `lost 0, doubled 0`. The shop's own logs are not trusted: the soak
keeps its own record of what each shopper did (record.py) and compares the carts and orders
against it at the end (invariants.py). The faults come from a schedule drawn from the seed
(chaos.py), so a failure names the seed that replays it.
"""
