"""Tests of the harness itself: plugin, target files, oracle, report."""
