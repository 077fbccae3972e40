"""`make bench`: measure the shop against its real processes and headless Chromium.

Run `python -m bench --help`. Results go to `bench/results.json` and the results section of
`docs/performance.md`; the method is described there.
"""
