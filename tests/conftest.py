"""Shared helpers for the tests: settings built the way a user's configuration builds them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ctxlint.config import Settings, settings_from_table

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


# A system prompt long enough to be cached by every provider.
LONG = " ".join(f"word{number}" for number in range(3000))


def turns(count: int) -> list[dict]:
    """`count` user questions and the answers between them (the last one unanswered)."""
    messages: list[dict] = []
    for number in range(count):
        messages.append({"role": "user", "content": f"question {number} " + "x " * 50})
        messages.append({"role": "assistant", "content": f"answer {number}"})
    return messages[:-1]


def make_settings(table: dict[str, Any] | None = None, root: Path | None = None) -> Settings:
    return settings_from_table(table or {}, root or Path.cwd(), None)


@pytest.fixture
def settings_for():
    return make_settings
