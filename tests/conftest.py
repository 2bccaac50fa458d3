"""The project's own tests: `pytester` drives the kit's plugin in throw-away projects."""

pytest_plugins = ["pytester"]
