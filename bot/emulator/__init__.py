"""A local Telegram Bot API emulator for tests, the console and benchmarks."""

from .emulator import Emulator
from .models import SentMessage

__all__ = ["Emulator", "SentMessage"]
