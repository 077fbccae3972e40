"""Browser tests: the five real processes on free ports, driven with Playwright."""
