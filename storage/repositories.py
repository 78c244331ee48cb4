"""The repositories of one connection, handed out together by a transaction or a read."""

from __future__ import annotations

import aiosqlite

from bot.model.clock import Clock, system_clock
from storage.broadcasts import BroadcastRepository
from storage.digests import DigestRepository
from storage.drafts import DraftRepository
from storage.erasure import PersonalDataRepository
from storage.follow_ups import FollowUpRepository
from storage.moderation import ModerationRepository
from storage.opinions import OpinionRepository
from storage.outbox import OutboxRepository
from storage.participants import DeliveryRepository, ParticipantRepository
from storage.plan_versions import PlanVersionRepository
from storage.responses import ResponseRepository
from storage.stances import StanceRepository
from storage.suggestions import SuggestionRepository
from storage.tracking import FollowRepository, TrackingInputRepository, TrackingRepository
from storage.votes import VoteRepository


class Repositories:
    """Every repository bound to the same connection (and so the same transaction) and clock."""

    def __init__(self, conn: aiosqlite.Connection, clock: Clock = system_clock) -> None:
        self.conn = conn
        self.clock = clock
        self.participants = ParticipantRepository(conn, clock)
        self.delivery = DeliveryRepository(conn, clock)
        self.stances = StanceRepository(conn, clock)
        self.suggestions = SuggestionRepository(conn, clock)
        self.votes = VoteRepository(conn, clock)
        self.drafts = DraftRepository(conn, clock)
        self.digests = DigestRepository(conn, clock)
        self.responses = ResponseRepository(conn, clock)
        self.broadcasts = BroadcastRepository(conn, clock)
        self.moderation = ModerationRepository(conn, clock)
        self.personal = PersonalDataRepository(conn, clock)
        self.tracking = TrackingRepository(conn, clock)
        self.follows = FollowRepository(conn, clock)
        self.tracking_inputs = TrackingInputRepository(conn, clock)
        self.follow_ups = FollowUpRepository(conn, clock)
        self.outbox = OutboxRepository(conn, clock)
        self.plan_versions = PlanVersionRepository(conn, clock)
        self.opinions = OpinionRepository(conn, clock)
