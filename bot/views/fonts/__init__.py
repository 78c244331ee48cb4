"""The fonts shipped with the package, each with its licence beside it (OFL.txt)."""

from __future__ import annotations

from importlib.resources import files

# Noto Nastaliq Urdu: the results site serves it, and the digest chart draws Urdu with it.
URDU_FONT = files(__name__) / "NotoNastaliqUrdu-Regular.ttf"
LICENCE = files(__name__) / "OFL.txt"
