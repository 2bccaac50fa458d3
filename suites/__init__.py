"""The conformance suites: what is checked of a system under test."""
