"""What the public page of a scale may show, read in a few bounded queries.

Everything here is public: a shopper who scans a sticker is anonymous. These functions must
never read a vendor (name, phone, id number), a user, or a free-text note, and must never follow
``Scale.vendor`` or ``Stall.vendor``; what they return goes into the HTML as it is.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import CharField, JSONField, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, Concat, JSONObject
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from chengxin.core.choices import ChangeAction
from chengxin.core.compiled import fetch_all, fetch_one, marker
from chengxin.instruments import codes
from chengxin.instruments.choices import AccuracyClass, ScaleState, TypeApprovalStatus
from chengxin.instruments.lifecycle import TRANSITIONS
from chengxin.instruments.models import LifecycleEvent, Scale
from chengxin.ledger import leaves
from chengxin.ledger.models import Checkpoint, LogEntry, Subject

VERIFICATION_TRANSITIONS = ("pass_verification", "fail_verification")
MAX_LOG_RECORDS = 500
"""A scale has a few dozen records in a long life; the bound keeps a hostile one cheap."""


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


@dataclass(frozen=True)
class PublicScale:
    """A scale as its public page shows it: only public columns, flattened (one compiled query).

    ``version`` is what the rendered page depends on besides the date: when any of the scale,
    its maker, approval, market or stall is saved (a verification changes the scale's state and
    validity, so it saves the scale too), or a new leaf about the scale enters the log, the page
    is rendered again. Leaves about other scales do not touch it: the log grows all the time.
    """

    id: int
    code: str
    state: str
    valid_until: dt.date | None
    accuracy_class: str
    max_capacity_g: Any
    min_capacity_g: Any
    e_g: Any
    manufacturer_name: str
    approval_certificate_no: str
    approval_model_name: str
    approval_status: str
    market_name: str | None
    market_address: str | None
    stall_number: str | None
    version: tuple[Any, ...]

    @property
    def accuracy_class_label(self) -> str:
        return str(AccuracyClass(self.accuracy_class).label)

    @property
    def approval_status_label(self) -> str:
        return str(TypeApprovalStatus(self.approval_status).label)

    @property
    def approval_valid(self) -> bool:
        return type_approval_is_valid(self.approval_status)


# Only these columns of a scale and what it links to are ever loaded for the public page,
# each under the name of the ``PublicScale`` field it fills.
_PUBLIC_SCALE_COLUMNS = {
    "id": "id",
    "code": "code",
    "state": "state",
    "valid_until": "valid_until",
    "accuracy_class": "accuracy_class",
    "max_capacity_g": "max_capacity_g",
    "min_capacity_g": "min_capacity_g",
    "e_g": "e_g",
    "manufacturer__name": "manufacturer_name",
    "type_approval__certificate_no": "approval_certificate_no",
    "type_approval__model_name": "approval_model_name",
    "type_approval__status": "approval_status",
    "market__name": "market_name",
    "market__address": "market_address",
    "stall__number": "stall_number",
}
_VERSION_COLUMNS = (
    "updated_at",
    "manufacturer__updated_at",
    "type_approval__updated_at",
    "market__updated_at",
    "stall__updated_at",
)


def _version_texts() -> dict[str, Cast]:
    # Read as the database's text: the version only goes into the cache key, and turning five
    # timestamps into datetimes cost as much as the rest of the row.
    return {f"version_{column}": Cast(column, TextField()) for column in _VERSION_COLUMNS}


def scale_public_get(*, code: str) -> PublicScale | None:
    """The scale with platform code ``code`` (normalised) as its public page shows it, or None.

    Every scan reads this one row, with the page's cache version; only a page not in the cache
    reads more (its last verification and log records). Each is a compiled query: building the
    querysets anew for every scan cost more than the whole look-up (``core.compiled``).
    """
    row = fetch_one(
        ("portal_scale",),
        lambda: (
            Scale.objects.filter(code=marker())
            .order_by()  # a code is unique
            .annotate(last_leaf=_last_leaf_subquery(), **_version_texts())
            .values_list(*_PUBLIC_SCALE_COLUMNS, "last_leaf", *_version_texts())
        ),
        code,
        (*_PUBLIC_SCALE_COLUMNS.values(), "last_leaf", *_VERSION_COLUMNS),
    )
    if row is None:
        return None
    version = (*(row.pop(column) for column in _VERSION_COLUMNS), row.pop("last_leaf"))
    return PublicScale(**row, version=version)


def scale_last_verification(*, scale: PublicScale) -> PublicVerification | None:
    """The latest verification of ``scale`` (one query): its verification record, or for a
    scale verified before records existed, the bare pass or fail transition."""
    row = fetch_one(
        ("portal_last_verification",),
        lambda: (
            Scale.objects.filter(code=marker())
            .order_by()
            .annotate(
                verification=_last_verification_subquery(),
                event=_last_verification_event_subquery(),
            )
            .values_list("verification", "event")
        ),
        scale.code,
        ("verification", "event"),
    )
    if row is None:
        return None
    return _public_verification(row["verification"], row["event"], scale.valid_until)


def scale_codes_existing(*, candidates: Iterable[str]) -> list[str]:
    """Which of ``candidates`` are codes of registered scales (one query), sorted."""
    wanted = sorted(set(candidates))
    if not wanted:
        return []
    return sorted(Scale.objects.filter(code__in=wanted).values_list("code", flat=True))


def _last_leaf_subquery() -> Subquery:
    """The newest integrated leaf about the outer scale (its records on the page), or NULL."""
    return Subquery(
        Subject.objects.filter(
            key=Concat(
                Value(leaves.object_key("instruments.scale")), Cast(OuterRef("id"), CharField())
            )
        )
        .order_by("-leaf_index")
        .values("leaf_index")[:1]
    )


def _newest_as_json(queryset: QuerySet[Any], *ordering: str, **fields: str) -> Subquery:
    """The first row of ``queryset`` by ``ordering``, as one JSON object of ``fields``
    (name → column path), or NULL: a whole related row as one column of the outer query."""
    return Subquery(
        queryset.order_by(*ordering).values(json=JSONObject(**fields))[:1],
        output_field=JSONField(),
    )


def _last_verification_subquery() -> Subquery:
    """The latest verification record of the outer scale, as one JSON object (or NULL)."""
    from chengxin.verification.models import Verification

    return _newest_as_json(
        # An inspection that passed changes nothing, so it is never "the last verification".
        Verification.objects.filter(scale=OuterRef("pk")).exclude(
            kind="in_service", result="passed"
        ),
        "-performed_on",
        "-id",
        result="result",
        kind="kind",
        performed_on="performed_on",
        institution="institution__name",
        document_no="document_no",
        valid_until="valid_until",
        certificate_id="certificate__id",
    )


def _last_verification_event_subquery() -> Subquery:
    """The latest pass or fail of the outer scale as a bare lifecycle transition (JSON or NULL):
    what a scale verified before verification records existed shows instead."""
    return _newest_as_json(
        LifecycleEvent.objects.filter(
            scale=OuterRef("pk"), transition__in=VERIFICATION_TRANSITIONS
        ),
        "-at",
        "-id",
        transition="transition",
        at="at",
        document="document",
        organisation="organisation__name",
    )


def _public_verification(
    verification: dict[str, Any] | None,
    event: dict[str, Any] | None,
    valid_until: dt.date | None,
) -> PublicVerification | None:
    """The last verification from the query's two JSON columns; the record wins."""
    from chengxin.verification.choices import VerificationKind, VerificationResult

    if verification is not None:
        return PublicVerification(
            passed=verification["result"] == VerificationResult.PASSED,
            performed_on=dt.date.fromisoformat(verification["performed_on"]),
            institution=verification["institution"],
            document_no=verification["document_no"],
            valid_until=_json_date(verification["valid_until"]),
            kind_label=str(VerificationKind(verification["kind"]).label),
            certificate_id=verification["certificate_id"],
        )
    if event is None:
        return None
    passed = event["transition"] == "pass_verification"
    # A lifecycle event's time is never NULL; inside JSON it is text, as in a leaf.
    at = leaves.parse_time(event["at"])
    assert at is not None
    return PublicVerification(
        passed=passed,
        performed_on=timezone.localtime(at).date(),
        institution=event["organisation"] or "",
        document_no=event["document"],
        valid_until=valid_until if passed else None,
    )


def _json_date(text: str | None) -> dt.date | None:
    # A date inside a JSON object is text; PostgreSQL and SQLite both write it ISO 8601.
    return None if text is None else dt.date.fromisoformat(text)


@dataclass(frozen=True)
class StickerCertificate:
    """What the sticker's ``?c=<leaf index>`` points at, checked against the scale."""

    index: int
    status: str  # "current", "old" (an earlier certificate of this scale), "foreign", "unknown"
    number: str = ""


def sticker_certificate(
    *, scale: PublicScale, index: int, last: PublicVerification | None
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
        Certificate.objects.filter(pk=entry["record__object_id"], verification__scale_id=scale.id)
        .values("pk", "number")
        .first()
    )
    if certificate is None:
        return StickerCertificate(index, "foreign")
    current = last is not None and last.certificate_id == certificate["pk"]
    return StickerCertificate(index, "current" if current else "old", certificate["number"])


# --- the scale's records in the log -----------------------------------------------------------


@dataclass(frozen=True)
class LogRecord:
    """One leaf about a scale, described for people; the browser checks it is in the log."""

    index: int
    time: dt.datetime | None
    label: str
    local_time: str = ""
    """``time`` as the page's readers write it: minutes, in the platform's time zone."""


def scale_subject_key(scale: PublicScale) -> str:
    """Content-index key under which every leaf about ``scale`` is found."""
    return leaves.object_key("instruments.scale", scale.id)


def scale_log_records(*, scale: PublicScale) -> list[LogRecord]:
    """Every integrated leaf about ``scale``, oldest first: one query of the content index,
    which says what each leaf records and when, so no leaf is read or decoded here."""
    rows = fetch_all(
        ("portal_log_records",),
        lambda: (
            Subject.objects.filter(key=marker())
            .order_by("leaf_index")
            # The time as the database's text: parsed here for a fraction of a converter's cost.
            .annotate(time_text=Cast("leaf_time", TextField()))
            .values_list("leaf_index", "leaf_kind", "time_text")[:MAX_LOG_RECORDS]
        ),
        scale_subject_key(scale),
    )
    zone, language = timezone.get_current_timezone(), get_language()
    return [_describe(index, kind, text, zone, language) for index, kind, text in rows]


def _describe(
    index: int, kind: str, time_text: str | None, zone: dt.tzinfo, language: str | None
) -> LogRecord:
    time = leaves.parse_time(time_text)
    # "2026-11-26 16:40": isoformat is several times cheaper than strftime, and a page has many.
    local = "" if time is None else time.astimezone(zone).isoformat(" ", "minutes")[:16]
    return LogRecord(index, time, _label(language, kind), local)


@functools.lru_cache(maxsize=4096)
def _label(language: str | None, kind: str) -> str:
    """What a record of ``kind`` (``leaves.kind``) is, in ``language`` (the active one, part of
    the cache key): a page lists many records, of few kinds."""
    model, action, detail = [*kind.split(" ", 2), "", ""][:3]
    if not model:
        return str(_("无法识别的记录"))
    if model == "instruments.lifecycleevent":
        spec = TRANSITIONS.get(detail)
        return str(spec.label if spec else _("生产登记"))
    if model == "instruments.scale":
        if action == ChangeAction.CREATE:
            return str(_("建立秤档案"))
        if action == ChangeAction.TRANSITION:
            label = ScaleState(detail).label if detail in ScaleState.values else detail
            return str(_("状态变为“%s”") % label)
        return str(_("更正登记信息"))
    try:
        verbose = apps.get_model(model)._meta.verbose_name
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


# What each state that forbids trade means, for the shopper (lazy: translated per page).
_EXPLANATIONS: dict[str, tuple[str, Promise, Promise]] = {
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


def scale_public_status(*, scale: PublicScale, today: dt.date) -> PublicStatus:
    """What the scale's state means, on the platform's day ``today``, for someone about to pay
    by its reading."""
    return _status(get_language(), scale.state, scale.valid_until, today)


@functools.lru_cache(maxsize=8192)
def _status(
    language: str | None, state: str, until: dt.date | None, today: dt.date
) -> PublicStatus:
    """The verdict, in ``language`` (the active one, part of the cache key): it depends on the
    state and the validity alone, and a day's scans share a few thousand of those at most."""
    date = until.isoformat() if until else ""
    not_for_trade = gettext("请不要按它的读数付款；可以到市场的公平秤复秤，或向市场监管部门投诉。")
    if state == ScaleState.IN_SERVICE and until is not None and until >= today:
        return PublicStatus(
            "good",
            gettext("已检定合格，有效期至 %s") % date,
            gettext("这台秤经法定计量检定合格，可以用于贸易结算。"),
        )
    if state in (ScaleState.IN_SERVICE, ScaleState.OVERDUE):
        headline = gettext("检定已过期（有效期至 %s）") % date if until else gettext("检定已过期")
        return PublicStatus(
            "bad",
            headline,
            gettext("这台秤没有按期重新检定，读数不再有法定保证。"),
            not_for_trade,
        )
    if state in _EXPLANATIONS:
        tone, label, meaning = _EXPLANATIONS[state]
        return PublicStatus(tone, str(label), str(meaning), not_for_trade)
    # Manufactured, in stock or sold: not yet at a stall at all.
    return PublicStatus(
        "warn",
        gettext("尚未投入使用"),
        gettext("这台秤还没有在市场登记和检定，不得用于贸易结算。"),
        not_for_trade,
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


def published_log_size() -> int:
    """The published tree size, re-read at most once a second per process."""
    global _log_size_cache
    now = time.monotonic()
    if now - _log_size_cache[0] > 1.0:
        size = Checkpoint.objects.published().values_list("size", flat=True).first() or 0
        _log_size_cache = (now, size)
    return _log_size_cache[1]
