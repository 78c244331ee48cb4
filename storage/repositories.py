"""The repositories of one connection, handed out together by a transaction or a read."""

from __future__ import annotations

import aiosqlite

from storage.broadcasts import BroadcastRepository
from storage.digests import DigestRepository
from storage.drafts import DraftRepository
from storage.eligibility import EligibilityRepository
from storage.erasure import PersonalDataRepository
from storage.follow_ups import FollowUpRepository
from storage.moderation import ModerationRepository
from storage.outbox import OutboxRepository
from storage.participants import DeliveryRepository, ParticipantRepository
from storage.plan_versions import PlanVersionRepository
from storage.responses import ResponseRepository
from storage.stances import StanceRepository
from storage.suggestions import SuggestionRepository
from storage.tracking import FollowRepository, TrackingInputRepository, TrackingRepository
from storage.votes import VoteRepository


class Repositories:
    """Every repository bound to the same connection (and so the same transaction)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.participants = ParticipantRepository(conn)
        self.delivery = DeliveryRepository(conn)
        self.stances = StanceRepository(conn)
        self.suggestions = SuggestionRepository(conn)
        self.votes = VoteRepository(conn)
        self.drafts = DraftRepository(conn)
        self.digests = DigestRepository(conn)
        self.responses = ResponseRepository(conn)
        self.broadcasts = BroadcastRepository(conn)
        self.moderation = ModerationRepository(conn)
        self.personal = PersonalDataRepository(conn)
        self.tracking = TrackingRepository(conn)
        self.follows = FollowRepository(conn)
        self.tracking_inputs = TrackingInputRepository(conn)
        self.follow_ups = FollowUpRepository(conn)
        self.outbox = OutboxRepository(conn)
        self.plan_versions = PlanVersionRepository(conn)
        self.eligibility = EligibilityRepository(conn)
