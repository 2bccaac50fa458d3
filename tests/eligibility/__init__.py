"""The eligibility suites' own tests: the HTTP driver, strategies, and that seeded defects are caught."""
