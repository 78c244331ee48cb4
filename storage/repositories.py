"""The repositories of one connection, handed out together by a transaction or a read."""

from __future__ import annotations

from functools import cached_property

from bot.model.clock import Clock, system_clock
from storage.broadcasts import BroadcastRepository
from storage.claims import ClaimsRepository
from storage.digests import DigestRepository
from storage.drafts import DraftRepository
from storage.eligibility import EligibilityRepository
from storage.erasure import PersonalDataRepository
from storage.fleet_settings import FleetSettingsRepository
from storage.follow_ups import FollowUpRepository
from storage.ledger import LedgerRepository
from storage.moderation import ModerationRepository
from storage.opinions import OpinionRepository
from storage.outbox import OutboxRepository
from storage.participants import DeliveryRepository, ParticipantRepository
from storage.plan_versions import PlanVersionRepository
from storage.releases import ReleaseRepository
from storage.repository import Connection
from storage.responses import ResponseRepository
from storage.results import ResultsRepository
from storage.stances import StanceRepository
from storage.suggestions import SuggestionRepository
from storage.tracking import FollowRepository, TrackingInputRepository, TrackingRepository
from storage.votes import VoteRepository


class Repositories:
    """Every repository bound to the same connection (and so the same transaction) and clock.

    Each is made when first used: a transaction touches two or three of them.
    """

    def __init__(self, conn: Connection, clock: Clock = system_clock) -> None:
        self.conn = conn
        self.clock = clock

    @cached_property
    def participants(self) -> ParticipantRepository:
        """Return the participants repository."""
        return ParticipantRepository(self.conn, self.clock)

    @cached_property
    def delivery(self) -> DeliveryRepository:
        """Return the delivery repository."""
        return DeliveryRepository(self.conn, self.clock)

    @cached_property
    def stances(self) -> StanceRepository:
        """Return the stances repository."""
        return StanceRepository(self.conn, self.clock)

    @cached_property
    def suggestions(self) -> SuggestionRepository:
        """Return the suggestions repository."""
        return SuggestionRepository(self.conn, self.clock)

    @cached_property
    def votes(self) -> VoteRepository:
        """Return the votes repository."""
        return VoteRepository(self.conn, self.clock)

    @cached_property
    def drafts(self) -> DraftRepository:
        """Return the drafts repository."""
        return DraftRepository(self.conn, self.clock)

    @cached_property
    def digests(self) -> DigestRepository:
        """Return the digests repository."""
        return DigestRepository(self.conn, self.clock)

    @cached_property
    def responses(self) -> ResponseRepository:
        """Return the responses repository."""
        return ResponseRepository(self.conn, self.clock)

    @cached_property
    def broadcasts(self) -> BroadcastRepository:
        """Return the broadcasts repository."""
        return BroadcastRepository(self.conn, self.clock)

    @cached_property
    def moderation(self) -> ModerationRepository:
        """Return the moderation repository."""
        return ModerationRepository(self.conn, self.clock)

    @cached_property
    def personal(self) -> PersonalDataRepository:
        """Return the personal repository."""
        return PersonalDataRepository(self.conn, self.clock)

    @cached_property
    def tracking(self) -> TrackingRepository:
        """Return the tracking repository."""
        return TrackingRepository(self.conn, self.clock)

    @cached_property
    def follows(self) -> FollowRepository:
        """Return the follows repository."""
        return FollowRepository(self.conn, self.clock)

    @cached_property
    def tracking_inputs(self) -> TrackingInputRepository:
        """Return the tracking inputs repository."""
        return TrackingInputRepository(self.conn, self.clock)

    @cached_property
    def follow_ups(self) -> FollowUpRepository:
        """Return the follow ups repository."""
        return FollowUpRepository(self.conn, self.clock)

    @cached_property
    def outbox(self) -> OutboxRepository:
        """Return the outbox repository."""
        return OutboxRepository(self.conn, self.clock)

    @cached_property
    def plan_versions(self) -> PlanVersionRepository:
        """Return the plan versions repository."""
        return PlanVersionRepository(self.conn, self.clock)

    @cached_property
    def results(self) -> ResultsRepository:
        """Return the results page's repository."""
        return ResultsRepository(self.conn, self.clock)

    @cached_property
    def opinions(self) -> OpinionRepository:
        """Return the opinion groups' repository."""
        return OpinionRepository(self.conn, self.clock)

    @cached_property
    def releases(self) -> ReleaseRepository:
        """Return the releases of published figures."""
        return ReleaseRepository(self.conn, self.clock)

    @cached_property
    def eligibility(self) -> EligibilityRepository:
        """Return the eligibility repository."""
        return EligibilityRepository(self.conn, self.clock)

    @cached_property
    def claims(self) -> ClaimsRepository:
        """Return the chat claims repository (a fleet on PostgreSQL)."""
        return ClaimsRepository(self.conn, self.clock)

    @cached_property
    def fleet_settings(self) -> FleetSettingsRepository:
        """Return the fleet's recorded settings repository."""
        return FleetSettingsRepository(self.conn, self.clock)

    @cached_property
    def ledger(self) -> LedgerRepository:
        """Return the erasure ledger's repository (PostgreSQL's schema `ledger`)."""
        return LedgerRepository(self.conn, self.clock)
