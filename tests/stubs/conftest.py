"""What every stub test shares: async tests run on asyncio (the stubs are Starlette apps)."""

import pytest


@pytest.fixture
def anyio_backend():
    return "asyncio"
