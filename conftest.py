"""Registers the kit's pytest plugin (fixtures/plugin.py); nothing else lives here."""

pytest_plugins = ["fixtures.plugin"]
