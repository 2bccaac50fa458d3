"""The stub VNeID: an OpenID provider plus the VNeID app screens, for the conformance kit."""
