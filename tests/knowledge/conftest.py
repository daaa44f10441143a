"""Tests over the real knowledge base. Those that read its published index (`make setup` builds it in
var/) carry the `published_index` marker, so `make unit` runs on a fresh clone without it."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "real_service" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.published_index)
