"""Tests that run third-party servers (interop/) as the system under test."""
