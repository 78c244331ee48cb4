"""What a repository runs its queries on: the reader (aiosqlite) or the writer (in place)."""

from __future__ import annotations

from typing import TypeAlias

import aiosqlite

from storage.direct import DirectConnection

Connection: TypeAlias = aiosqlite.Connection | DirectConnection
