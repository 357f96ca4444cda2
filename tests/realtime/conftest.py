from __future__ import annotations

import pytest

from api.container import Container
from tests.realtime.support import WSFactory


@pytest.fixture
def ws(container: Container) -> WSFactory:
    """Opens GraphQL WebSockets on the app in this process: `async with ws.connect() as s`."""
    return WSFactory(container)
