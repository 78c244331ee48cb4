"""The services one running hearing shares between its handlers and jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.hearing.author_answers import AuthorAnswers
from bot.hearing.bans import Bans
from bot.hearing.blocklist import default_blocklist
from bot.hearing.broadcasts import Broadcasts
from bot.hearing.deliberation import Deliberation
from bot.hearing.digest import DigestBuilder
from bot.hearing.digest_schedule import DigestLedger
from bot.hearing.eligibility import Eligibility
from bot.hearing.erasure import Erasure
from bot.hearing.follow_up_questions import FollowUps
from bot.hearing.item_followers import Following
from bot.hearing.languages import load_plans
from bot.hearing.moderation import Moderation
from bot.hearing.my_data import MyData
from bot.hearing.opinion_service import GroupsDigestBuilder, Opinions
from bot.hearing.oversight import OVERSIGHT, REPORT_WEEKDAY, OversightBuilder
from bot.hearing.participants import Participants
from bot.hearing.plan import Plan
from bot.hearing.plan_revision import PlanRevisions
from bot.hearing.responses import FollowThrough
from bot.hearing.screening import Screening
from bot.hearing.sub_items import SubItems
from bot.hearing.submissions import Submissions
from bot.hearing.suggestion_list import SuggestionList
from bot.hearing.tracking import Tracking
from bot.hearing.walkthrough import Walkthrough
from bot.model.clock import Clock
from bot.model.values import Language
from bot.views.texts import Texts, load_texts
from storage.backend import Store


@dataclass
class Services:
    """Dependencies handed to handlers explicitly, instead of untyped bot_data lookups."""

    settings: Settings
    db: Store
    plan: Plan
    participants: Participants
    walkthrough: Walkthrough
    sub_items: SubItems
    deliberation: Deliberation
    submissions: Submissions
    digests: DigestLedger
    suggestions: SuggestionList
    oversight: DigestLedger
    follow: FollowThrough
    answers: AuthorAnswers
    broadcasts: Broadcasts
    moderation: Moderation
    bans: Bans
    eligibility: Eligibility
    my_data: MyData
    erasure: Erasure
    tracking: Tracking
    following: Following
    follow_ups: FollowUps
    revisions: PlanRevisions
    opinions: Opinions
    texts: Texts = field(default_factory=load_texts)
    # The plan in each language that has a matching translation (English: `plan`).
    plans: dict[Language, Plan] = field(default_factory=dict)

    @property
    def clock(self) -> Clock:
        """Return the hearing's one clock: the database's, which every service reads too."""
        return self.db.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        # One clock for all: a test that sets a fixed time here moves the services' "now" and
        # the timestamps storage writes together.
        self.db.clock = clock

    def texts_in(self, language: Language | None) -> Texts:
        """Return the texts in a participant's language (English if they have not chosen)."""
        return load_texts(language or Language.ENGLISH)

    async def texts_of_participant(self, pid: str) -> Texts:
        """Return the texts in the language a participant chose (English if none)."""
        return self.texts_in(await self.participants.language_of(pid))

    def plan_for(self, language: Language | None) -> Plan:
        """Return the plan in a language, or the English one when it has no translation."""
        return self.plans.get(language or Language.ENGLISH, self.plan)

    def today(self) -> date:
        """Return today's date in the hearing's time zone (deadlines are calendar days)."""
        return self.clock().astimezone(ZoneInfo(self.settings.timezone)).date()

    @classmethod
    def build(
        cls, settings: Settings, db: Store, plan: Plan, secret: str,
        plans: dict[Language, Plan] | None = None,
    ) -> Services:  # fmt: skip
        """Wire the services of one hearing over an open database, all on the database's clock;
        `plans`: the plan in each language (default: the translations beside the plan file)."""
        clock = db.now
        walkthrough = Walkthrough(db, plan)
        screening = Screening(
            default_blocklist(), settings.moderation_mode, settings.suggestions_per_hour
        )
        claim = timedelta(minutes=settings.moderation_claim_minutes)
        participants = Participants(db, secret)
        moderators = frozenset(participants.identify(m) for m in settings.moderator_ids)
        drafters = frozenset(participants.identify(d) for d in settings.drafter_ids)
        zone = settings.timezone
        opinions = Opinions(db, plan, settings.min_group_size)
        builder = DigestBuilder(db, plan, zone, settings.min_group_size)
        grouped = GroupsDigestBuilder(builder, opinions)
        return cls(
            settings=settings,
            db=db,
            plan=plan,
            participants=participants,
            walkthrough=walkthrough,
            sub_items=SubItems(db, plan),
            deliberation=Deliberation(
                db,
                plan,
                settings.votes_per_item,
                settings.report_hide_threshold,
                settings.min_group_size,
            ),
            submissions=Submissions(
                db, plan, walkthrough, settings.suggestion_max_chars, screening, clock
            ),
            digests=DigestLedger(db, grouped, settings.digest_time, zone, record=opinions.record),
            suggestions=SuggestionList(db, settings.min_group_size),
            oversight=DigestLedger(
                db,
                OversightBuilder(db, plan, zone, participants.staff_id),
                settings.digest_time,
                zone,
                kind=OVERSIGHT,
                weekday=REPORT_WEEKDAY,
            ),
            follow=FollowThrough(db, plan, settings.min_group_size),
            answers=AuthorAnswers(db, drafters, settings.suggestion_max_chars),
            broadcasts=Broadcasts(db),
            moderation=Moderation(
                db, plan, claim, clock, moderators=moderators, staff=participants.staff_id
            ),
            bans=Bans(db),
            eligibility=Eligibility(db, secret, settings.eligibility_country_code),
            my_data=MyData(db, plan, clock, settings.min_group_size),
            erasure=Erasure(db, db.erasure_ledger(), participants, clock),
            tracking=Tracking(db, plan, participants.staff_id),
            following=Following(db, plan),
            follow_ups=FollowUps(
                db, plan, screening, settings.min_group_size, settings.suggestion_max_chars, clock
            ),
            revisions=PlanRevisions(db),
            opinions=opinions,
            plans=load_plans(plan, settings.plan_path) if plans is None else plans,
        )
