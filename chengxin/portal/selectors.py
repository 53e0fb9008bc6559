"""What the public page of a scale may show, read in a few bounded queries.

Everything here is public: a shopper who scans a sticker is anonymous. These functions must
never read a vendor (name, phone, id number), a user, or a free-text note, and must never follow
``Scale.vendor`` or ``Stall.vendor``; what they return goes into the HTML as it is.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chengxin.core.choices import ChangeAction
from chengxin.core.compiled import fetch_one, marker
from chengxin.instruments import codes
from chengxin.instruments.choices import ScaleState, TypeApprovalStatus
from chengxin.instruments.lifecycle import TRANSITIONS
from chengxin.instruments.models import LifecycleEvent, Scale
from chengxin.ledger import leaves
from chengxin.ledger.models import Checkpoint, LogEntry, Subject

VERIFICATION_TRANSITIONS = ("pass_verification", "fail_verification")
MAX_LOG_RECORDS = 500
"""A scale has a few dozen records in a long life; the bound keeps a hostile one cheap."""

# Only these columns of a scale and what it links to are ever loaded for the public page.
_PUBLIC_SCALE_FIELDS = (
    "id",
    "code",
    "type_approval",
    "manufacturer",
    "market",
    "stall",
    "state",
    "valid_until",
    "accuracy_class",
    "max_capacity_g",
    "min_capacity_g",
    "e_g",
    "d_g",
    "manufacturer__name",
    "type_approval__certificate_no",
    "type_approval__model_name",
    "type_approval__status",
    "market__name",
    "market__address",
    "stall__number",
)


def scale_public_get(*, code: str) -> Scale | None:
    """The scale with platform code ``code`` (normalised), with what its public page shows."""
    return (
        Scale.objects.select_related("type_approval", "manufacturer", "market", "stall")
        .only(*_PUBLIC_SCALE_FIELDS)
        .filter(code=code)
        .first()
    )


def scale_codes_existing(*, candidates: Iterable[str]) -> list[str]:
    """Which of ``candidates`` are codes of registered scales (one query), sorted."""
    wanted = sorted(set(candidates))
    if not wanted:
        return []
    return sorted(Scale.objects.filter(code__in=wanted).values_list("code", flat=True))


@dataclass(frozen=True)
class PublicVerification:
    """The last verification as the public sees it: never the verifier, checker or approver."""

    passed: bool
    performed_on: dt.date
    institution: str
    document_no: str
    valid_until: dt.date | None = None
    kind_label: str = ""
    certificate_id: int | None = None


def scale_last_verification(*, scale: Scale) -> PublicVerification | None:
    """The latest verification of ``scale``, from the verification records.

    A scale verified before verification records existed (a pass or fail entered as a bare
    lifecycle transition) falls back to that transition.
    """
    from chengxin.verification.models import Verification

    row = (
        Verification.objects.filter(scale=scale)
        .exclude(kind="in_service", result="passed")  # an inspection that passed changes nothing
        .order_by("-performed_on", "-id")
        .values(
            "result",
            "kind",
            "performed_on",
            "institution__name",
            "document_no",
            "valid_until",
            "certificate__id",
        )
        .first()
    )
    if row is not None:
        from chengxin.verification.choices import VerificationKind, VerificationResult

        return PublicVerification(
            passed=row["result"] == VerificationResult.PASSED,
            performed_on=row["performed_on"],
            institution=row["institution__name"],
            document_no=row["document_no"],
            valid_until=row["valid_until"],
            kind_label=str(VerificationKind(row["kind"]).label),
            certificate_id=row["certificate__id"],
        )
    event = (
        LifecycleEvent.objects.select_related("organisation")
        .only("id", "scale", "transition", "at", "document", "organisation", "organisation__name")
        .filter(scale=scale, transition__in=VERIFICATION_TRANSITIONS)
        .order_by("-at", "-id")
        .first()
    )
    if event is None:
        return None
    return PublicVerification(
        passed=event.transition == "pass_verification",
        performed_on=timezone.localtime(event.at).date(),
        institution=event.organisation.name if event.organisation else "",
        document_no=event.document,
        valid_until=scale.valid_until if event.transition == "pass_verification" else None,
    )


@dataclass(frozen=True)
class StickerCertificate:
    """What the sticker's ``?c=<leaf index>`` points at, checked against the scale."""

    index: int
    status: str  # "current", "old" (an earlier certificate of this scale), "foreign", "unknown"
    number: str = ""


def sticker_certificate(
    *, scale: Scale, index: int, last: PublicVerification | None
) -> StickerCertificate:
    """Whether leaf ``index`` records a certificate of ``scale``, and whether it is the last.

    The browser then checks the leaf itself; this only tells the page which words to show.
    """
    from django.contrib.contenttypes.models import ContentType

    from chengxin.verification.models import Certificate

    content_type = ContentType.objects.get_for_model(Certificate)
    entry = (
        LogEntry.objects.filter(index=index)
        .values("record__content_type_id", "record__object_id")
        .first()
    )
    if entry is None:
        return StickerCertificate(index, "unknown")
    if entry["record__content_type_id"] != content_type.pk:
        return StickerCertificate(index, "foreign")
    certificate = (
        Certificate.objects.filter(pk=entry["record__object_id"], verification__scale=scale)
        .values("pk", "number")
        .first()
    )
    if certificate is None:
        return StickerCertificate(index, "foreign")
    current = last is not None and last.certificate_id == certificate["pk"]
    return StickerCertificate(index, "current" if current else "old", certificate["number"])


def certificate_subject_key(certificate_id: int) -> str:
    return f"object:verification.certificate:{certificate_id}"


# --- the scale's records in the log -----------------------------------------------------------


@dataclass(frozen=True)
class LogRecord:
    """One leaf about a scale, described for people; the browser checks it is in the log."""

    index: int
    time: dt.datetime | None
    label: str


def scale_subject_key(scale: Scale) -> str:
    """Content-index key under which every leaf about ``scale`` is found."""
    return f"object:instruments.scale:{scale.pk}"


def scale_log_records(*, scale: Scale) -> list[LogRecord]:
    """Every integrated leaf about ``scale``, oldest first (one query through the index)."""
    indexes = Subject.objects.filter(key=scale_subject_key(scale)).values("leaf_index")
    rows = (
        LogEntry.objects.filter(index__in=indexes)
        .order_by("index")
        .values_list("index", "data")[:MAX_LOG_RECORDS]
    )
    return [_describe(index, bytes(data)) for index, data in rows if index is not None]


def _describe(index: int, data: bytes) -> LogRecord:
    try:
        leaf = leaves.parse_leaf(data)
    except leaves.LeafError:
        return LogRecord(index, None, str(_("无法识别的记录")))
    return LogRecord(index, _leaf_time(leaf.get("time")), str(_leaf_label(leaf)))


def _leaf_time(text: Any) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _leaf_label(leaf: dict[str, Any]) -> Promise | str:
    model, action = leaf.get("model"), leaf.get("action")
    body = leaf.get("after") or leaf.get("before") or {}
    if model == "instruments.lifecycleevent":
        transition = TRANSITIONS.get(str(body.get("transition")))
        return transition.label if transition else _("生产登记")
    if model == "instruments.scale":
        if action == ChangeAction.CREATE:
            return _("建立秤档案")
        if action == ChangeAction.TRANSITION:
            state = body.get("state")
            label = ScaleState(state).label if state in ScaleState.values else state
            return _("状态变为“%s”") % label
        return _("更正登记信息")
    try:
        verbose = apps.get_model(str(model))._meta.verbose_name
    except (LookupError, ValueError):
        verbose = model
    action_label = ChangeAction(action).label if action in ChangeAction.values else action
    return f"{verbose} · {action_label}"


# --- what the status means for a shopper --------------------------------------------------------


@dataclass(frozen=True)
class PublicStatus:
    """The verdict at the top of the page: a tone (good / warn / bad), a headline, what it
    means, and (when the scale must not be trusted) what the shopper can do."""

    tone: str
    headline: str
    advice: str
    action: str = ""


def scale_public_status(*, scale: Scale, today: dt.date | None = None) -> PublicStatus:
    """What the scale's state means for someone about to pay by its reading."""
    today = today or timezone.localdate()
    state, until = scale.state, scale.valid_until
    date = until.isoformat() if until else ""
    not_for_trade = _("请不要按它的读数付款；可以到市场的公平秤复秤，或向市场监管部门投诉。")
    if state == ScaleState.IN_SERVICE and until is not None and until >= today:
        return PublicStatus(
            "good",
            str(_("已检定合格，有效期至 %s")) % date,
            str(_("这台秤经法定计量检定合格，可以用于贸易结算。")),
        )
    if state in (ScaleState.IN_SERVICE, ScaleState.OVERDUE):
        headline = str(_("检定已过期（有效期至 %s）")) % date if until else str(_("检定已过期"))
        return PublicStatus(
            "bad",
            headline,
            str(_("这台秤没有按期重新检定，读数不再有法定保证。")),
            str(not_for_trade),
        )
    explanations: dict[str, tuple[str, Promise, Promise]] = {
        ScaleState.REJECTED: (
            "bad",
            _("检定不合格，不得使用"),
            _("这台秤未通过检定或监管部门的检查，称量可能不准。"),
        ),
        ScaleState.LOCKED: (
            "bad",
            _("已锁机，不得使用"),
            _("这台秤的外壳被打开过，已自动锁机；修理并重新检定合格前不得使用。"),
        ),
        ScaleState.REPAIRED: (
            "warn",
            _("修理后待检定，不得用于结算"),
            _("这台秤修理后还没有重新检定。"),
        ),
        ScaleState.SEIZED: (
            "bad",
            _("已被市场监管部门查封扣押"),
            _("这台秤涉嫌违法，已被查封，不得使用。"),
        ),
        ScaleState.DESTROYED: ("bad", _("已销毁"), _("这台秤已被依法销毁，不应再出现在市场上。")),
        ScaleState.SCRAPPED: ("bad", _("已报废"), _("这台秤已报废，不应再出现在市场上。")),
        ScaleState.RETIRED: ("warn", _("已停止使用"), _("这台秤已登记停止使用。")),
        ScaleState.REGISTERED: (
            "warn",
            _("已登记，尚未检定"),
            _("这台秤已在市场登记，但还没有检定合格，不得用于贸易结算。"),
        ),
    }
    if state in explanations:
        tone, label, meaning = explanations[state]
        return PublicStatus(tone, str(label), str(meaning), str(not_for_trade))
    # Manufactured, in stock or sold: not yet at a stall at all.
    return PublicStatus(
        "warn",
        str(_("尚未投入使用")),
        str(_("这台秤还没有在市场登记和检定，不得用于贸易结算。")),
        str(not_for_trade),
    )


def type_approval_is_valid(status: str) -> bool:
    return status == TypeApprovalStatus.VALID


def code_problem(normalised: str) -> str | None:
    """Why ``normalised`` is not a valid platform code: "length", "characters", "check" or None.

    ``codes.validate`` says the same in English for logs; the page needs a reason to translate.
    """
    if len(normalised) != codes.LENGTH:
        return "length"
    if any(ch not in codes.ALPHABET for ch in normalised):
        return "characters"
    if not codes.is_valid(normalised):
        return "check"
    return None


_log_size_cache: tuple[float, int] = (0.0, 0)


def _published_log_size() -> int:
    """The published tree size, re-read at most once a second per process."""
    global _log_size_cache
    now = time.monotonic()
    if now - _log_size_cache[0] > 1.0:
        size = Checkpoint.objects.published().values_list("size", flat=True).first() or 0
        _log_size_cache = (now, size)
    return _log_size_cache[1]


_VERSION_FIELDS = (
    "updated_at",
    "type_approval__updated_at",
    "market__updated_at",
    "stall__updated_at",
)


def scale_page_version(*, code: str) -> tuple[Any, ...] | None:
    """What the public page of ``code`` depends on, or None for an unknown code (one query)."""
    row = fetch_one(
        ("portal_scale_version",),
        lambda: Scale.objects.filter(code=marker()).values_list(*_VERSION_FIELDS),
        code,
        _VERSION_FIELDS,
    )
    if row is None:
        return None
    return (*row.values(), _published_log_size())
