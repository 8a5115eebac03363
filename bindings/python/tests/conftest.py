"""Shared test helpers."""

from __future__ import annotations

import pathlib

REPO = pathlib.Path(__file__).resolve().parents[3]
VECTORS = REPO / "test-vectors"
