"""Tests of the checkout app (a package, so test module names never clash with other apps')."""
