"""A local Telegram Bot API emulator for tests, the console and benchmarks."""

from .emulator import Emulator
from .faults import FaultShares
from .limits import Limits, RateReport
from .models import SentMessage

__all__ = ["Emulator", "FaultShares", "Limits", "RateReport", "SentMessage"]
