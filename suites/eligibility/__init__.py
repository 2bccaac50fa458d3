"""Version gates and account states: the oracle against the systems, exhaustive and Hypothesis."""
