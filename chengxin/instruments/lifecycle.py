"""The one lifecycle state machine of a scale (domain brief §5.2).

Each transition names the states it leaves, the state it enters, which kinds of organisation
perform it in reality (and with which role), and the fields it sets. ``scale_transition`` in
``services`` is the only code that moves a scale between states, and it asks this table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chengxin.organizations.choices import OrganisationKind as K
from chengxin.organizations.choices import Role

from .choices import ScaleState as S

SYSTEM = "system"  # the platform itself (a scheduled task, a connected scale's report)


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    role: str | None = None
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    needs_document: bool = False
    document_label: Promise | None = None
    # Made only by recording a verification (chengxin.verification.services), never by hand, so
    # that a scale cannot be put into service without the tests and certificate behind it.
    via_verification: bool = False

    @property
    def fields(self) -> tuple[str, ...]:
        return self.required + self.optional


_VERIFIABLE = frozenset({S.REGISTERED, S.IN_SERVICE, S.OVERDUE, S.REPAIRED})
_TERMINAL = frozenset({S.SCRAPPED, S.DESTROYED, S.SEIZED})

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "release",
            _("出厂入库"),
            frozenset({S.MANUFACTURED}),
            S.IN_STOCK,
            frozenset({K.MANUFACTURER}),
            optional=("seal_ids",),
        ),
        Transition(
            "sell",
            _("销售"),
            frozenset({S.IN_STOCK}),
            S.SOLD,
            frozenset({K.MANUFACTURER}),
            required=("operator",),
        ),
        Transition(
            "register",
            _("登记备案"),
            frozenset({S.SOLD}),
            S.REGISTERED,
            frozenset({K.MARKET_OPERATOR}),
            required=("market", "stall"),
            optional=("vendor",),
        ),
        Transition(
            "pass_verification",
            _("检定合格"),
            _VERIFIABLE,
            S.IN_SERVICE,
            frozenset({K.VERIFICATION}),
            role=Role.VERIFIER,
            required=("valid_until", "verification_code"),
            optional=("seal_ids", "calibration_counter", "configuration_counter"),
            needs_document=True,
            document_label=_("检定证书编号"),
            via_verification=True,
        ),
        Transition(
            "fail_verification",
            _("检定不合格"),
            _VERIFIABLE,
            S.REJECTED,
            frozenset({K.VERIFICATION}),
            role=Role.VERIFIER,
            needs_document=True,
            document_label=_("检定结果通知书编号"),
            via_verification=True,
        ),
        Transition(
            "fail_inspection",
            _("使用中检查不合格"),
            frozenset({S.IN_SERVICE, S.OVERDUE}),
            S.REJECTED,
            frozenset({K.REGULATOR}),
            role=Role.INSPECTOR,
            needs_document=True,
            document_label=_("检查记录编号"),
            via_verification=True,
        ),
        Transition(
            "expire",
            _("检定到期"),
            frozenset({S.IN_SERVICE}),
            S.OVERDUE,
            frozenset({SYSTEM, K.REGULATOR}),
        ),
        Transition(
            "lock",
            _("开壳锁机"),
            frozenset({S.IN_SERVICE, S.OVERDUE}),
            S.LOCKED,
            frozenset({SYSTEM, K.REGULATOR}),
        ),
        Transition(
            "repair",
            _("授权解锁修理"),
            frozenset({S.LOCKED, S.REJECTED}),
            S.REPAIRED,
            frozenset({K.REPAIRER, K.MANUFACTURER}),
            role=Role.REPAIRER,
            required=("repair_code",),
            optional=("seal_ids", "software_version", "software_checksum"),
            needs_document=True,
            document_label=_("修理记录编号"),
        ),
        Transition(
            "relocate",
            _("变更使用地点"),
            frozenset({S.IN_SERVICE}),
            S.REGISTERED,
            frozenset({K.MARKET_OPERATOR}),
            required=("market", "stall"),
            optional=("vendor",),
        ),
        Transition(
            "retire",
            _("停止使用"),
            frozenset({S.REGISTERED, S.IN_SERVICE, S.OVERDUE, S.REJECTED}),
            S.RETIRED,
            frozenset({K.MARKET_OPERATOR}),
        ),
        Transition(
            "scrap",
            _("报废"),
            frozenset({S.RETIRED}),
            S.SCRAPPED,
            frozenset({K.MARKET_OPERATOR}),
        ),
        Transition(
            "seize",
            _("查封扣押"),
            frozenset(set(S.values) - _TERMINAL),
            S.SEIZED,
            frozenset({K.REGULATOR}),
            role=Role.INSPECTOR,
            needs_document=True,
            document_label=_("查封扣押决定书编号"),
        ),
        Transition(
            "destroy",
            _("销毁"),
            frozenset({S.SEIZED}),
            S.DESTROYED,
            frozenset({K.REGULATOR}),
            role=Role.INSPECTOR,
            needs_document=True,
            document_label=_("处罚决定书编号"),
        ),
    ]
}


@dataclass(frozen=True)
class Refusal:
    """Why a transition may not happen now (a message for people, a code for machines)."""

    code: str
    message: str
    details: dict[str, object] = field(default_factory=dict)


def transitions_from(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if state in t.sources]


def refusal(
    transition: Transition,
    *,
    state: str,
    actor_kind: str,
    roles: frozenset[str] | None,
    superuser: bool = False,
) -> Refusal | None:
    """None when ``actor_kind`` with ``roles`` may perform ``transition`` from ``state``."""
    if state not in transition.sources:
        return Refusal(
            "illegal_transition",
            str(_("状态“%(state)s”下不能执行“%(transition)s”"))
            % {"state": S(state).label, "transition": transition.label},
        )
    if superuser:
        return None
    if actor_kind not in transition.actors:
        return Refusal("actor_not_allowed", str(_("您的机构类型不能执行“%s”")) % transition.label)
    if (
        transition.role is not None
        and roles is not None
        and transition.role not in roles
        and Role.ADMIN not in roles
    ):
        return Refusal(
            "role_required",
            str(_("执行“%(transition)s”需要“%(role)s”角色"))
            % {"transition": transition.label, "role": Role(transition.role).label},
        )
    return None
