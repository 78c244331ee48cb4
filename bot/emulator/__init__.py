"""A local Telegram Bot API emulator for tests, the console and benchmarks."""

from .emulator import Emulator
from .limits import Limits, RateReport
from .models import SentMessage

__all__ = ["Emulator", "Limits", "RateReport", "SentMessage"]
