"""Shared helpers for the tests: settings built the way a user's configuration builds them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ctxlint.config import Settings, settings_from_table

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def make_settings(table: dict[str, Any] | None = None, root: Path | None = None) -> Settings:
    return settings_from_table(table or {}, root or Path.cwd(), None)


@pytest.fixture
def settings_for():
    return make_settings
