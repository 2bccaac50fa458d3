"""Identity-provider conformance: the kit plays a relying party, correct and deliberately wrong."""
