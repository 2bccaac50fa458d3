"""Third-party identity providers set up the way a vendor would, for testing the kit against."""
