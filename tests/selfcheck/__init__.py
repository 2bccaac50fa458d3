"""Proof that every conformance test can fail: seeded stub defects, each caught by its test."""
