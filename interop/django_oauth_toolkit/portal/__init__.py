"""The vendor's own app: citizens' profiles, the claims DOT adds to ID tokens, the home page."""
