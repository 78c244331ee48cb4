"""Make the emulated Telegram misbehave on demand: limits, latency, errors, blocks."""

from __future__ import annotations

from .errors import ApiError, too_many_requests
from .faults import FaultShares
from .limits import Limits, RateReport
from .server import CANONICAL
from .state import World


class Misbehaviour:
    """The emulator's controls for everything that goes wrong with Telegram."""

    _world: World

    def set_limits(self, limits: Limits | None) -> None:
        """Enforce Telegram's sending limits from now on; None only measures."""
        self._world.traffic.set_limits(limits)

    def rate_report(self) -> RateReport:
        """Return the sending rates measured since the start or the last reset_rates()."""
        return self._world.traffic.report()

    def reset_rates(self) -> None:
        """Forget all sending history: the measurements and the windows the limits check."""
        self._world.traffic.reset()

    def set_latency(self, seconds: float) -> None:
        """Add a round trip of `seconds` to every API call from now on (0: loopback only)."""
        if seconds < 0:
            raise ValueError(f"latency must not be negative, got {seconds}")
        self._world.latency = seconds

    @property
    def latency(self) -> float:
        """Return the round trip added to every API call, in seconds."""
        return self._world.latency

    def block(self, user_id: int) -> None:
        """Make the user block the bot: writing to their chat answers 403."""
        self._world.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        """Make the user unblock the bot."""
        self._world.blocked.discard(user_id)

    def inject_error(
        self,
        method: str,
        error_code: int = 429,
        description: str | None = None,
        *,
        retry_after: int = 1,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of a method fail; the default is flood control (429)."""
        name = CANONICAL.get(method.lower())
        if name is None:
            raise ValueError(f"the emulator does not implement {method!r}")
        if error_code == 429 and description is None:
            error = too_many_requests(retry_after)
        else:
            error = ApiError(error_code, description or "Internal Server Error")
        self._world.injected.setdefault(name, []).extend([error] * times)

    def lose_answers(self, method: str, times: int = 1) -> None:
        """Perform the next `times` calls of a method, then drop the connection unanswered."""
        name = CANONICAL.get(method.lower())
        if name is None:
            raise ValueError(f"the emulator does not implement {method!r}")
        self._world.faults.lose_answers(name, times)

    def set_faults(self, shares: FaultShares | None) -> None:
        """Fail a share of calls from now on (429, 5xx, lost answers); None stops it."""
        self._world.faults.configure(shares)

    @property
    def fault_counts(self) -> dict[str, int]:
        """Return how many faults of each kind were made so far."""
        return dict(self._world.faults.counts)
