"""Own tests of the eligibility suites: HTTP driver, strategies, seeded defects caught."""
