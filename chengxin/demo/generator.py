"""Seed a realistic national data set, deterministically for a seed, fast enough for 10^6 scales.

What it makes (divisions are kept, everything else is replaced):

* a market-supervision bureau for the nation and for every current province, prefecture-level
  city and county of mainland China (Hong Kong, Macao and Taiwan have no SAMR bureau);
* 134 manufacturers, 2,163 verification institutions (each authorised over its city or
  province), 20 pattern-evaluation institutions and a repairer per prefecture-level city;
* market operators, markets in every mainland province, stalls and vendors (fake personal data);
* type approvals (classes II/III, Max 3/6/15/30 kg) with approved software identifications;
* N scales spread over every lifecycle state, each with a lifecycle event per transition it went
  through and a ``valid_until`` consistent with its state;
* demo users with known passwords, one per role.

Same seed, same data: every random draw comes from one ``random.Random(seed)`` and the input
(divisions) is read in code order. Only wall-clock dates are relative to today, so that "in
service" always means a future ``valid_until`` and "overdue" a past one.

How it stays fast: rows are built as plain dicts in chunks and inserted with ``executemany``
on SQLite and ``COPY`` on PostgreSQL (per table per chunk, one transaction per chunk), with
primary keys assigned here so that children can point at parents without reading ids back.

Change records (decision): every row of a change-logged model gets its "create" change record,
written in bulk next to the row, with the same fields ``chengxin.core.changes._build`` writes
(actor and request id from the action context, ``after`` = ``changes.snapshot`` of the row).
The records are handed to the listeners registered with ``changes.on_change_records`` (the
transparency log) after each chunk is written, as ``change_records_for_bulk_create`` does.
Lifecycle events are not change-logged models, exactly as in ``instruments.services``. A scale's
change record shows its state after the demo history; the history itself is in its events.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import gc
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any

import orjson
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from chengxin.core import changes, context
from chengxin.core.changes import _json_value
from chengxin.core.choices import ChangeAction
from chengxin.core.models import ChangeLoggedModel, ChangeRecord
from chengxin.instruments import codes
from chengxin.instruments.choices import AccuracyClass, ScaleState, TypeApprovalStatus
from chengxin.instruments.models import (
    LifecycleEvent,
    Scale,
    SoftwareIdentification,
    TypeApproval,
    TypeApprovalStatusChange,
)
from chengxin.markets.models import Market, Stall, Vendor
from chengxin.organizations import uscc
from chengxin.organizations.choices import (
    AuthorisationKind,
    InstrumentKind,
    OrganisationKind,
    Role,
)
from chengxin.organizations.models import Authorisation, Organisation, User
from chengxin.regions.codes import NATION, city_of, level_of, province_of
from chengxin.regions.models import Division

MANUFACTURERS = 134
VERIFICATION_INSTITUTIONS = 2163
PATTERN_EVALUATION_INSTITUTIONS = 20
DEMO_PASSWORD = "chengxin-demo"  # noqa: S105 — printed on purpose: demo accounts only
CHUNK = 20_000  # scales per transaction
OUTSIDE_SAMR = ("71", "81", "82")  # Taiwan, Hong Kong, Macao
XIHU, HANGZHOU, ZHEJIANG = "330106", "330100", "330000"
_CST = dt.timezone(dt.timedelta(hours=8))

# Tables kept across re-seeding: reference data and Django's own bookkeeping.
_KEEP_TABLES = {
    Division._meta.db_table,
    "django_migrations",
    "django_content_type",
    "auth_permission",
}

# Final state → relative weight (percent) in the demo population.
STATE_WEIGHTS: dict[str, float] = {
    ScaleState.MANUFACTURED: 1.0,
    ScaleState.IN_STOCK: 3.0,
    ScaleState.SOLD: 2.0,
    ScaleState.REGISTERED: 4.0,
    ScaleState.IN_SERVICE: 70.0,
    ScaleState.OVERDUE: 9.0,
    ScaleState.LOCKED: 1.5,
    ScaleState.REPAIRED: 1.5,
    ScaleState.REJECTED: 2.0,
    ScaleState.RETIRED: 2.5,
    ScaleState.SCRAPPED: 1.5,
    ScaleState.SEIZED: 1.5,
    ScaleState.DESTROYED: 0.5,
}

PROVINCE_ABBREVIATIONS = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉",
    "23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣",
    "37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
    "50": "渝", "51": "川", "52": "黔", "53": "滇", "54": "藏", "61": "陕", "62": "甘",
    "63": "青", "64": "宁", "65": "新",
}  # fmt: skip
# Where China's scale makers cluster (Yongkang, Zhongshan, Shanghai, Changzhou, …): weights.
MANUFACTURER_PROVINCES = {
    "33": 30, "44": 28, "31": 14, "32": 16, "37": 10, "35": 8, "13": 5,
    "41": 4, "11": 4, "12": 3, "34": 4, "42": 3, "51": 3, "50": 2,
}  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"
    "建国文辉林海波燕鑫雪梅宇浩凯琳晨欣怡涵俊峰志春荣德福"
)
BRAND_CHARS = "恒信华鑫精准衡达联盛宏永泰康源凯友德隆昌嘉万通力科丰佳瑞新"
STREETS = ("东门", "西街", "南苑", "北关", "新华", "人民路", "解放路", "中山路", "和平", "幸福",
           "城南", "城北", "建设路", "花园", "菜园", "光明", "朝阳", "河滨", "青年路", "红星",
           "文化路", "胜利", "长安", "滨江", "金桥", "工农", "前进", "团结")  # fmt: skip
MARKET_KINDS = ("农贸市场", "菜市场", "综合市场", "生鲜市场", "集贸市场", "农副产品市场")
EVALUATION_NAMES = (
    "中国计量科学研究院", "北京市计量检测科学研究院", "上海市计量测试技术研究院",
    "浙江省计量科学研究院", "江苏省计量科学研究院", "广东省计量科学研究院",
    "山东省计量科学研究院", "福建省计量科学研究院", "湖北省计量测试技术研究院",
    "四川省计量测试研究院", "河南省计量测试科学研究院", "天津市计量监督检测科学研究院",
    "辽宁省计量科学研究院", "陕西省计量科学研究院", "湖南省计量检测研究院",
    "安徽省计量科学研究院", "重庆市计量质量检测研究院", "河北省计量监督检测研究院",
    "广西壮族自治区计量检测研究院", "中山市计量检定测试所",
)  # fmt: skip
EVALUATION_DIVISIONS = ("110000", "110000", "310000", "330000", "320000", "440000", "370000",
                        "350000", "420000", "510000", "410000", "120000", "210000", "610000",
                        "430000", "340000", "500000", "130000", "450000", "442000")  # fmt: skip
# (Max g, class, e g, Min g): OIML R76 / JJG 539 price-computing scales (n ≤ 10,000 for III).
CAPACITIES = (
    (Decimal(3000), AccuracyClass.III, Decimal(1), Decimal(20)),
    (Decimal(6000), AccuracyClass.III, Decimal(2), Decimal(40)),
    (Decimal(15000), AccuracyClass.III, Decimal(5), Decimal(100)),
    (Decimal(30000), AccuracyClass.III, Decimal(10), Decimal(200)),
    (Decimal(3000), AccuracyClass.II, Decimal("0.5"), Decimal(25)),
    (Decimal(6000), AccuracyClass.II, Decimal(1), Decimal(50)),
    (Decimal(15000), AccuracyClass.II, Decimal(2), Decimal(100)),
    (Decimal(30000), AccuracyClass.II, Decimal(5), Decimal(250)),
)
_Q4 = Decimal("0.0001")


# --- writing rows fast ------------------------------------------------------------------------


class BulkWriter:
    """Buffers rows per table and writes them with ``executemany``, with their change records.

    Values are plain Python values keyed by attname; missing fields take their model default.
    Dates, datetimes and JSON are adapted by the connection's own adapters, so the stored values
    are what the ORM would have stored.
    """

    def __init__(self, *, now: dt.datetime) -> None:
        self.now = now
        self.ctx = context.current()
        actor = context.actor()
        self.user_id = getattr(actor, "pk", None)
        self.user_name = getattr(actor, "username", "") if actor is not None else ""
        self.buffers: dict[type[models.Model], list[tuple[Any, ...]]] = defaultdict(list)
        self.specs: dict[type[models.Model], _TableSpec] = {}
        self.written: dict[str, int] = defaultdict(int)
        self.change_record_id = 0
        self.pending_records: list[dict[str, Any]] = []

    def spec(self, model: type[models.Model]) -> _TableSpec:
        found = self.specs.get(model)
        if found is None:
            found = self.specs[model] = _TableSpec.for_model(model, self.now)
        return found

    def add(self, model: type[models.Model], values: dict[str, Any], repr_: str = "") -> None:
        spec = self.spec(model)
        merged = spec.defaults | values
        self.buffers[model].append(spec.cells(merged))
        if spec.change_logged:
            after = {name: merged[name] for name in spec.logged}
            for name in spec.converted:  # only dates, datetimes and decimals need converting
                after[name] = _json_value(after[name])
            self.change_record_id += 1
            record = {
                "id": self.change_record_id,
                "time": self.now,
                "user_id": self.user_id,
                "user_name": self.user_name,
                "request_id": self.ctx.request_id,
                "source": self.ctx.source,
                "action": ChangeAction.CREATE,
                "content_type_id": spec.content_type_id,
                "object_id": str(values["id"]),
                "object_repr": repr_[:200],
                "before": None,
                "after": after,
            }
            self.buffers[ChangeRecord].append(self.spec(ChangeRecord).row(record))
            if changes.has_listeners():  # e.g. the transparency log's pending leaves
                self.pending_records.append(record)

    def flush(self) -> None:
        """Write every buffered row (parents first; foreign keys are checked at commit anyway)."""
        with connection.cursor() as cursor:
            for model, rows in self.buffers.items():
                if not rows:
                    continue
                spec = self.specs[model]
                if connection.vendor == "postgresql":
                    # COPY is PostgreSQL's bulk path: several times executemany's rate.
                    with cursor.cursor.copy(spec.copy_sql) as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    cursor.executemany(spec.sql, rows)
                self.written[model._meta.label] += len(rows)
        self.buffers.clear()
        if self.pending_records:
            # Hand the records to whoever listens to change records, as the ORM path does:
            # as loaded from the database (positional values: half the cost of keywords).
            names = self.spec(ChangeRecord).attnames  # the model's concrete fields, in order
            records = [
                ChangeRecord.from_db(connection.alias, names, [values[n] for n in names])
                for values in self.pending_records
            ]
            self.pending_records = []
            changes.records_written(records)

    @property
    def total_rows(self) -> int:
        return sum(self.written.values())


@dataclass
class _TableSpec:
    sql: str
    copy_sql: str
    attnames: list[str]
    adapters: list[Callable[[Any], Any] | None]
    defaults: dict[str, Any]
    change_logged: bool
    exclude: tuple[str, ...] = ()
    content_type_id: int | None = None
    converted: tuple[str, ...] = ()  # snapshot fields whose JSON form differs from the value
    # Derived: a row's values in column order (one C-level call on the merged dict), the columns
    # with an adapter, and the fields a change record's snapshot holds. A row was built field by
    # field in Python; reading it out in one call made 20,000-scale seeding 3–4 % faster.
    _columns: Callable[[dict[str, Any]], Any] = field(init=False, repr=False)
    _adapted: tuple[tuple[int, Callable[[Any], Any]], ...] = field(init=False, repr=False)
    logged: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        getter = itemgetter(*self.attnames)
        self._columns = getter if len(self.attnames) > 1 else lambda d: (getter(d),)
        self._adapted = tuple((i, a) for i, a in enumerate(self.adapters) if a is not None)
        self.logged = tuple(n for n in self.attnames if n not in self.exclude)

    @classmethod
    def for_model(cls, model: type[models.Model], now: dt.datetime) -> _TableSpec:
        ops = connection.ops
        qn = ops.quote_name
        fields = list(model._meta.concrete_fields)
        adapters: list[Callable[[Any], Any] | None] = []
        defaults: dict[str, Any] = {}
        for f in fields:
            kind = f.get_internal_type()
            if kind == "DateTimeField":
                adapters.append(
                    _sqlite_datetime
                    if connection.vendor == "sqlite"
                    else ops.adapt_datetimefield_value
                )
            elif kind == "DateField":
                adapters.append(ops.adapt_datefield_value)
            elif kind == "JSONField":
                adapters.append(_sqlite_json if connection.vendor == "sqlite" else _postgres_json)
            else:
                adapters.append(None)
            if kind == "DateTimeField":
                defaults[f.attname] = now
            elif f.has_default():
                defaults[f.attname] = f.get_default()
            else:
                defaults[f.attname] = None
        columns = ", ".join(qn(f.column or f.attname) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        logged = issubclass(model, ChangeLoggedModel)
        return cls(
            # Table and column names come from the model's _meta, never from input.
            sql=f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({placeholders})",  # noqa: S608
            copy_sql=f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN",
            attnames=[f.attname for f in fields],
            adapters=adapters,
            defaults=defaults,
            change_logged=logged,
            exclude=tuple(getattr(model, "change_log_exclude", ())) if logged else (),
            content_type_id=ContentType.objects.get_for_model(model).pk if logged else None,
            converted=tuple(
                f.attname
                for f in fields
                if f.get_internal_type()
                in (
                    "DateTimeField",
                    "DateField",
                    "DecimalField",
                    "UUIDField",
                    "BinaryField",
                    "TimeField",
                )
                and f.name not in (getattr(model, "change_log_exclude", ()) if logged else ())
            ),
        )

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        """The row to write for ``values`` (missing fields take their defaults)."""
        return self.cells(self.defaults | values)

    def cells(self, merged: dict[str, Any]) -> tuple[Any, ...]:
        """The row to write for ``merged``, which holds a value for every field."""
        cells = self._columns(merged)
        if not self._adapted:
            return tuple(cells)
        cells = list(cells)
        for i, adapt in self._adapted:
            if cells[i] is not None:
                cells[i] = adapt(cells[i])
        return tuple(cells)


def _sqlite_json(value: Any) -> str:
    """A JSON field's text, as orjson writes it: compact UTF-8 where Django writes ASCII escapes
    and spaces; the same JSON to every reader. About 8 % of seeding was spent in ``json.dumps``
    for change records' before/after."""
    return orjson.dumps(value).decode()


def _postgres_json(value: Any) -> Jsonb:
    return Jsonb(value, dumps=orjson.dumps)


@lru_cache(maxsize=4096)
def _sqlite_datetime(value: dt.datetime) -> str:
    """What Django stores for an aware datetime in SQLite (naive UTC text), without its detours.

    Remembered: most of a chunk's datetimes are the same few (``now`` in every row's
    ``created_at``, ``updated_at`` and change record), and adapting each cost ~7 % of seeding.
    """
    if value.utcoffset():
        value = value.astimezone(dt.UTC)
    return str(value.replace(tzinfo=None))


def reset_database() -> None:
    """Empty every table except divisions and Django's bookkeeping; restart the id sequences."""
    tables = [
        t
        for t in connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        if t not in _KEEP_TABLES
    ]
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=True
    )
    if connection.vendor == "postgresql":
        # Inside a transaction (tests, a re-seed) TRUNCATE refuses while foreign-key checks are
        # still deferred: run them now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    connection.ops.execute_sql_flush(statements)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _reset_sequences(model_list: Iterable[type[models.Model]]) -> None:
    """After inserting explicit ids, move the id sequences past them (PostgreSQL needs it)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


# --- the world --------------------------------------------------------------------------------


@dataclass
class DemoUser:
    username: str
    password: str
    role: str
    organisation: str


@dataclass
class SeedResult:
    counts: dict[str, int]
    users: list[DemoUser]
    seconds: float = 0.0
    rows: int = 0


@dataclass
class _Org:
    id: int
    kind: str
    name: str
    division: str


@dataclass
class _World:
    """Ids and lookups the scale generator needs, built while seeding the organisations."""

    divisions: dict[str, str] = field(default_factory=dict)  # code → name (current)
    regulators: dict[str, int] = field(default_factory=dict)  # division code → bureau id
    manufacturers: list[_Org] = field(default_factory=list)
    manufacturer_weights: list[float] = field(default_factory=list)
    labs_by_area: dict[str, list[int]] = field(default_factory=dict)  # city/province → lab ids
    repairers_by_province: dict[str, list[int]] = field(default_factory=dict)
    repairers_by_city: dict[str, int] = field(default_factory=dict)
    approvals_by_maker: dict[int, list[_Approval]] = field(default_factory=dict)
    markets: list[_Market] = field(default_factory=list)
    demo: dict[str, int] = field(default_factory=dict)  # role → organisation id for demo users


@dataclass
class _Approval:
    id: int
    accuracy_class: str
    max_g: Decimal
    min_g: Decimal
    e_g: Decimal
    software: list[tuple[str, str]]


@dataclass
class _Market:
    id: int
    operator_id: int
    division: str
    stalls: list[tuple[int, int | None]]  # (stall id, vendor id)


class _Ids:
    def __init__(self) -> None:
        self._next: dict[type[models.Model], int] = defaultdict(lambda: 1)

    def __call__(self, model: type[models.Model]) -> int:
        n = self._next[model]
        self._next[model] = n + 1
        return n


class Seeder:
    """Builds the demo data set; ``run`` is the whole job."""

    def __init__(self, *, scales: int, seed: int, progress: bool = False) -> None:
        self.n_scales = scales
        self.rng = random.Random(seed)  # noqa: S311 — reproducible fake data, not secrets
        self.progress = progress
        self.now = timezone.now().replace(microsecond=0)
        self.today = timezone.localdate()
        self.ids = _Ids()
        self.writer = BulkWriter(now=self.now)
        self.world = _World()
        self._usccs: set[str] = set()
        self._codes: set[str] = set()

    # -- helpers ---------------------------------------------------------------------------

    def uscc_for(self, authority: str, division: str) -> str:
        """A unique, valid credit code: authority+category, area, 9-character organisation code."""
        area = division if division != NATION else "100000"
        while True:
            org = "".join(self.rng.choice(uscc.ALPHABET[:10]) for _ in range(8))
            org += self.rng.choice(uscc.ALPHABET)
            code = uscc.make(authority[0], authority[1], area, org)
            if code not in self._usccs:
                self._usccs.add(code)
                return code

    def person_name(self) -> str:
        rng = self.rng
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        return rng.choice(SURNAMES) + given

    def phone(self) -> str:
        rng = self.rng
        return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"

    def id_number(self, division: str) -> str:
        """A fake resident ID number with a correct ISO 7064 MOD 11-2 check character."""
        rng = self.rng
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(40 * 365))
        body = f"{division}{born:%Y%m%d}{rng.randrange(1000):03d}"
        weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
        total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
        return body + "10X98765432"[total % 11]

    def at(self, day: dt.date) -> dt.datetime:
        """A working-hours moment on ``day`` (China time), as an aware UTC datetime."""
        minutes = self.rng.randrange(8 * 60, 17 * 60)
        local = dt.datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=_CST)
        return local.astimezone(dt.UTC)

    def valid_until(self, verified_on: dt.date) -> dt.date:
        """The validity a passed verification gives, by the platform's settings."""
        months = settings.CHENGXIN_VERIFICATION_VALIDITY_MONTHS
        year, month = divmod(verified_on.month - 1 + months, 12)
        year += verified_on.year
        day = min(verified_on.day, calendar.monthrange(year, month + 1)[1])
        until = dt.date(year, month + 1, day)
        if getattr(settings, "CHENGXIN_VALID_UNTIL_DAY_BEFORE", False):
            until -= dt.timedelta(days=1)
        return until

    def add_org(self, kind: str, name: str, division: str, authority: str, **extra: Any) -> _Org:
        org = _Org(self.ids(Organisation), kind, name, division)
        self.writer.add(
            Organisation,
            {
                "id": org.id,
                "kind": kind,
                "name": name,
                "uscc": self.uscc_for(authority, division),
                "division_id": division,
                "address": extra.pop("address", ""),
                "contact_name": self.person_name(),
                "contact_phone": self.phone(),
                "is_active": True,
                **extra,
            },
            name,
        )
        return org

    def short(self, division: str) -> str:
        """A division's name without its level suffix, as people say it (杭州, 西湖)."""
        name = self.world.divisions.get(division, "")
        for suffix in ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州",
                       "省", "市", "区", "县", "盟", "旗", "地区"):  # fmt: skip
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                return name[: -len(suffix)]
        return name

    def area_of(self, division: str) -> str:
        """The city a county belongs to, or its province where no city level exists."""
        city = city_of(division)
        return city if city in self.world.divisions else province_of(division)

    # -- organisations ---------------------------------------------------------------------

    def seed_regulators(self) -> None:
        w = self.world
        nation = self.add_org(
            OrganisationKind.REGULATOR, "国家市场监督管理总局", NATION, "11",
            address="北京市西城区三里河东路8号",
        )  # fmt: skip
        w.regulators[NATION] = nation.id
        for code, name in w.divisions.items():
            if code[:2] in OUTSIDE_SAMR:
                continue
            level = level_of(code)
            if level == "county":
                parent = city_of(code)
                prefix = w.divisions.get(parent, "")
                name = prefix + name
            org = self.add_org(
                OrganisationKind.REGULATOR, f"{name}市场监督管理局", code, "11",
                address=f"{name}政务服务中心",
            )  # fmt: skip
            w.regulators[code] = org.id

    def seed_manufacturers(self) -> None:
        w, rng = self.world, self.rng
        provinces = list(MANUFACTURER_PROVINCES)
        weights = list(MANUFACTURER_PROVINCES.values())
        counties_by_province: dict[str, list[str]] = defaultdict(list)
        for code in w.divisions:
            if level_of(code) == "county":
                counties_by_province[code[:2]].append(code)
        names: set[str] = set()
        for i in range(MANUFACTURERS):
            division = (
                XIHU
                if i == 0
                else rng.choice(counties_by_province[rng.choices(provinces, weights)[0]])
            )
            while True:
                brand = "".join(rng.sample(BRAND_CHARS, 2))
                name = f"{self.short(self.area_of(division))}{brand}衡器有限公司"
                if i == 0:
                    name = "杭州西湖恒信衡器有限公司"
                if name not in names:
                    names.add(name)
                    break
            org = self.add_org(
                OrganisationKind.MANUFACTURER, name, division, "91",
                address=f"{w.divisions[division]}{rng.choice(STREETS)}工业园{rng.randint(1, 99)}号",
            )  # fmt: skip
            w.manufacturers.append(org)
            # A few big makers, a long tail (roughly Pareto).
            w.manufacturer_weights.append(rng.paretovariate(1.2))
        w.demo["manufacturer"] = w.manufacturers[0].id

    def seed_institutions(self) -> None:
        """Pattern evaluation, verification (with authorisations) and repairers."""
        w, rng = self.world, self.rng
        self.evaluators = [
            self.add_org(OrganisationKind.PATTERN_EVALUATION, name, division, "12").id
            for name, division in zip(EVALUATION_NAMES, EVALUATION_DIVISIONS, strict=True)
        ]
        provinces = [
            c for c in w.divisions if level_of(c) == "province" and c[:2] not in OUTSIDE_SAMR
        ]
        cities = [c for c in w.divisions if level_of(c) == "city"]
        counties = [c for c in w.divisions if level_of(c) == "county" and c[:2] not in OUTSIDE_SAMR]
        labs: list[tuple[str, str, str]] = []  # (name, seat division, authorised division)
        for code in provinces:
            labs.append((f"{w.divisions[code]}计量测试研究院", code, code))
        for code in cities:
            labs.append((f"{w.divisions[code]}质量技术监督检测院", code, code))
        remaining = VERIFICATION_INSTITUTIONS - len(labs)
        for code in sorted(rng.sample(counties, remaining)):
            county = w.divisions[code]
            labs.append(
                (f"{self.short(self.area_of(code))}市{county}计量检定所", code, self.area_of(code))
            )
        for name, seat, area in labs:
            org = self.add_org(OrganisationKind.VERIFICATION, name, seat, "12")
            w.labs_by_area.setdefault(area, []).append(org.id)
            if seat == HANGZHOU:
                w.demo["verification"] = org.id
            self.add_authorisation(
                org.id, AuthorisationKind.VERIFICATION, w.regulators[province_of(seat)], area,
                f"({PROVINCE_ABBREVIATIONS.get(seat[:2], '国')})法计"
                f"({self.today.year - rng.randint(0, 3)})"
                f"{rng.randrange(10000):05d}号",
            )  # fmt: skip
        for code in cities:
            name = f"{self.short(code)}{''.join(rng.sample(BRAND_CHARS, 2))}衡器维修有限公司"
            seat = XIHU if code == HANGZHOU else code
            org = self.add_org(OrganisationKind.REPAIRER, name, seat, "91")
            w.repairers_by_city[code] = org.id
            w.repairers_by_province.setdefault(code[:2], []).append(org.id)
            if code == HANGZHOU:
                w.demo["repairer"] = org.id
            maker = rng.choice(w.manufacturers)
            self.add_authorisation(
                org.id, AuthorisationKind.REPAIR, maker.id, code, f"WX-{maker.id:03d}-{org.id:05d}"
            )
        # Province-administered areas without cities (Beijing, Shanghai, …) get one too.
        for code in provinces:
            if code[:2] not in w.repairers_by_province:
                org = self.add_org(
                    OrganisationKind.REPAIRER, f"{self.short(code)}衡器维修服务中心", code, "91"
                )
                w.repairers_by_province[code[:2]] = [org.id]
                self.add_authorisation(
                    org.id, AuthorisationKind.REPAIR, rng.choice(w.manufacturers).id, code,
                    f"WX-{org.id:05d}",
                )  # fmt: skip

    def add_authorisation(
        self, org_id: int, kind: str, issued_by: int, division: str, certificate_no: str
    ) -> None:
        valid_from = self.today - dt.timedelta(days=self.rng.randint(30, 4 * 365))
        self.writer.add(
            Authorisation,
            {
                "id": self.ids(Authorisation),
                "organisation_id": org_id,
                "kind": kind,
                "certificate_no": certificate_no,
                "issued_by_id": issued_by,
                "instrument_kinds": [
                    InstrumentKind.PRICE_COMPUTING_SCALE,
                    InstrumentKind.FAIR_SCALE,
                ],
                "division_codes": [division],
                "valid_from": valid_from,
                "valid_until": valid_from + dt.timedelta(days=5 * 365),
            },
            certificate_no,
        )

    # -- type approvals --------------------------------------------------------------------

    def seed_type_approvals(self) -> None:
        w, rng = self.world, self.rng
        seq: dict[tuple[int, str], int] = defaultdict(int)
        for maker in w.manufacturers:
            letters = "".join(rng.choice("ABCDEFHJKLMNPTX") for _ in range(2))
            approvals = []
            for _ in range(rng.randint(2, 6)):
                max_g, accuracy, e_g, min_g = rng.choice(CAPACITIES)
                year = self.today.year - rng.randint(0, 7)
                seq[(year, maker.division[:2])] += 1
                number = f"{year}F{seq[(year, maker.division[:2])]:03d}-{maker.division[:2]}"
                status = rng.choices(
                    [TypeApprovalStatus.VALID, TypeApprovalStatus.NOT_FOR_NEW,
                     TypeApprovalStatus.WITHDRAWN], [85, 12, 3]
                )[0]  # fmt: skip
                issued_on = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
                issued_on = min(issued_on, self.today - dt.timedelta(days=400))
                model_name = (
                    f"{letters}{'S' if accuracy == AccuracyClass.II else ''}-{int(max_g / 1000)}"
                )
                model_name += f"{rng.choice('ABCDE')}{rng.randint(1, 9)}"
                approval_id = self.ids(TypeApproval)
                self.writer.add(
                    TypeApproval,
                    {
                        "id": approval_id,
                        "certificate_no": number,
                        "manufacturer_id": maker.id,
                        "model_name": model_name,
                        "instrument_kind": InstrumentKind.PRICE_COMPUTING_SCALE,
                        "accuracy_class": accuracy,
                        "max_capacity_g": max_g.quantize(_Q4),
                        "min_capacity_g": min_g.quantize(_Q4),
                        "e_g": e_g.quantize(_Q4),
                        "issued_by_id": w.regulators[province_of(maker.division)],
                        "evaluation_institution_id": rng.choice(self.evaluators),
                        "evaluation_report_no": f"XP{year}-{rng.randrange(10000):04d}",
                        "issued_on": issued_on,
                        "spec_version": "JJF 2184-2025" if year >= 2025 else "JJG 539-2016",
                        "status": status,
                    },
                    f"{number} {model_name}",
                )
                software = []
                major = rng.randint(1, 3)
                for minor in range(rng.randint(1, 3)):
                    version = f"V{major}.{minor}.{rng.randint(0, 9)}"
                    checksum = f"{rng.getrandbits(32):08X}"
                    software.append((version, checksum))
                    self.writer.add(
                        SoftwareIdentification,
                        {
                            "id": self.ids(SoftwareIdentification),
                            "type_approval_id": approval_id,
                            "version": version,
                            "checksum": checksum,
                        },
                        f"{version} ({checksum})",
                    )
                if status != TypeApprovalStatus.VALID:
                    self.writer.add(
                        TypeApprovalStatusChange,
                        {
                            "id": self.ids(TypeApprovalStatusChange),
                            "type_approval_id": approval_id,
                            "from_status": TypeApprovalStatus.VALID,
                            "to_status": status,
                            "effective_on": issued_on + dt.timedelta(days=rng.randint(200, 380)),
                            "decision_no": f"{PROVINCE_ABBREVIATIONS.get(maker.division[:2], '国')}"
                            f"市监量决〔{year + 1}〕{rng.randint(1, 99)}号",
                            "reason": "生产企业申请停止生产该型号"
                            if status == TypeApprovalStatus.NOT_FOR_NEW
                            else "发现作弊功能，撤销型式批准",
                            "user_id": None,
                            "recorded_at": self.now,
                        },
                        f"{number} {model_name}: {TypeApprovalStatus.VALID} → {status}",
                    )
                if status != TypeApprovalStatus.WITHDRAWN:
                    approvals.append(_Approval(approval_id, accuracy, max_g, min_g, e_g, software))
            if not approvals:  # every maker keeps at least one usable approval
                approvals.append(_Approval(approval_id, accuracy, max_g, min_g, e_g, software))
            w.approvals_by_maker[maker.id] = approvals

    # -- markets, stalls, vendors ----------------------------------------------------------

    def seed_markets(self) -> None:
        w, rng = self.world, self.rng
        counties = [c for c in w.divisions if level_of(c) == "county" and c[:2] not in OUTSIDE_SAMR]
        by_province: dict[str, list[str]] = defaultdict(list)
        for code in counties:
            by_province[code[:2]].append(code)
        n_markets = max(len(by_province) * 2, self.n_scales // 150)
        in_use = self.n_scales * 0.9
        stalls_per_market = max(6, min(120, round(in_use / n_markets / 1.6)))
        # Every mainland province first (and Hangzhou Xihu for the demo operator), then spread.
        places = [XIHU, *sorted(by_province[p][0] for p in by_province if p != "33")]
        places += [rng.choice(counties) for _ in range(n_markets - len(places))]
        operator: _Org | None = None
        names: set[str] = set()
        for i, division in enumerate(places):
            if operator is None or operator.division != division or rng.random() < 0.7:
                kind_word = rng.choice(("市场管理", "农贸市场经营管理", "商业管理", "市场开发"))
                operator = self.add_org(
                    OrganisationKind.MARKET_OPERATOR,
                    f"{self.short(self.area_of(division))}{self.short(division)}"
                    f"{''.join(rng.sample(BRAND_CHARS, 2))}{kind_word}有限公司",
                    division, "91",
                )  # fmt: skip
                if i == 0:
                    w.demo["market_operator"] = operator.id
            while True:
                name = f"{self.short(division)}{rng.choice(STREETS)}{rng.choice(MARKET_KINDS)}"
                if name not in names:
                    break
                name = f"{name}{rng.choice('东西南北')}区"
                if name not in names:
                    break
            names.add(name)
            market_id = self.ids(Market)
            self.writer.add(
                Market,
                {
                    "id": market_id,
                    "name": name,
                    "operator_id": operator.id,
                    "division_id": division,
                    "address": f"{w.divisions[division]}{rng.choice(STREETS)}"
                    f"{rng.randint(1, 300)}号",
                },
                name,
            )
            stalls: list[tuple[int, int | None]] = []
            n_stalls = max(4, round(stalls_per_market * rng.uniform(0.6, 1.4)))
            fair_stall = self.ids(Stall)
            self.writer.add(
                Stall,
                {"id": fair_stall, "market_id": market_id, "number": "公平秤",
                 "vendor_id": None, "is_fair_scale_point": True},
                f"{name} 公平秤",
            )  # fmt: skip
            for n in range(1, n_stalls + 1):
                vendor_id = None
                if rng.random() < 0.92:
                    vendor_id = self.ids(Vendor)
                    vendor_name = self.person_name()
                    self.writer.add(
                        Vendor,
                        {
                            "id": vendor_id,
                            "market_id": market_id,
                            "name": vendor_name,
                            "phone": self.phone(),
                            "id_number": self.id_number(division),
                            "uscc": self.uscc_for("92", division) if rng.random() < 0.4 else "",
                        },
                        vendor_name,
                    )
                stall_id = self.ids(Stall)
                number = f"{'ABCDEF'[n // 40]}{n % 40 + 1:02d}"
                self.writer.add(
                    Stall,
                    {"id": stall_id, "market_id": market_id, "number": number,
                     "vendor_id": vendor_id, "is_fair_scale_point": False},
                    f"{name} {number}",
                )  # fmt: skip
                stalls.append((stall_id, vendor_id))
            w.markets.append(_Market(market_id, operator.id, division, stalls))
            if len(self.writer.buffers[Stall]) > 50_000:
                self.writer.flush()

    # -- scales ----------------------------------------------------------------------------

    def new_code(self) -> str:
        while True:
            code = codes.generate(self.rng)
            if code not in self._codes:
                self._codes.add(code)
                return code

    def seed_scales(self) -> None:
        states = list(STATE_WEIGHTS)
        cum = list(_cumulative(STATE_WEIGHTS.values()))
        bar = _progress(self.n_scales, self.progress)
        done = 0
        while done < self.n_scales:
            n = min(CHUNK, self.n_scales - done)
            with transaction.atomic(), _collector_paused():
                for i in range(done, done + n):
                    # The first scales go through every state once, so each is represented.
                    final = states[i] if i < len(states) else None
                    self.one_scale(final or self.rng.choices(states, cum_weights=cum)[0])
                self.writer.flush()
            done += n
            bar.update(n)
        bar.close()

    def one_scale(self, final: str) -> None:
        """One scale and the events of a plausible life that ends in ``final``."""
        w, rng, today = self.world, self.rng, self.today
        maker = rng.choices(w.manufacturers, cum_weights=self._maker_cum)[0]
        approval = rng.choice(w.approvals_by_maker[maker.id])
        scale_id = self.ids(Scale)
        serial_no = self._serials[maker.id] = self._serials.get(maker.id, 0) + 1
        version, checksum = (
            approval.software[0] if rng.random() < 0.6 else rng.choice(approval.software)
        )
        values: dict[str, Any] = {
            "id": scale_id,
            "code": self.new_code(),
            "manufacturer_id": maker.id,
            "type_approval_id": approval.id,
            "accuracy_class": approval.accuracy_class,
            "max_capacity_g": approval.max_g.quantize(_Q4),
            "min_capacity_g": approval.min_g.quantize(_Q4),
            "e_g": approval.e_g.quantize(_Q4),
            "d_g": approval.e_g.quantize(_Q4),
            "software_version": version,
            "software_checksum": checksum,
            "repair_code": "",
            "verification_code": "",
            "seal_ids": [],
            "device_public_key": f"{rng.getrandbits(256):064x}",
            "division_id": maker.division,
            "operator_id": None,
            "market_id": None,
            "stall_id": None,
            "vendor_id": None,
            "valid_until": None,
            "calibration_counter": None,
            "configuration_counter": None,
        }
        events: list[dict[str, Any]] = []
        S = ScaleState  # noqa: N806 — short alias, as in lifecycle.py
        pre_service = final in (ScaleState.MANUFACTURED, ScaleState.IN_STOCK, ScaleState.SOLD,
                                ScaleState.REGISTERED)  # fmt: skip
        # Work backwards from "now" to a plausible start, then play the life forwards.
        passes: list[dt.date] = []  # dates of passed verifications, the last one decides
        if pre_service:
            start = today - dt.timedelta(days=rng.randint(3, 150))
            limit = today
        else:
            last_pass = today - dt.timedelta(days=rng.randint(5, 355))
            if final == S.OVERDUE or (
                final in (S.LOCKED, S.SEIZED, S.DESTROYED, S.RETIRED) and rng.random() < 0.3
            ):
                last_pass = today - dt.timedelta(days=rng.randint(380, 900))
            years = rng.choices((0, 1, 2, 3, 4, 5), (30, 25, 18, 12, 9, 6))[0]
            passes = [
                last_pass - dt.timedelta(days=365 * k + (rng.randint(0, 20) if k else 0))
                for k in range(years, -1, -1)
            ]
            limit = passes[0] - dt.timedelta(days=1)  # registered before its first verification
            start = limit - dt.timedelta(days=rng.randint(10, 90))
        day = start

        def event(transition: str, from_state: str, to_state: str, org: int | None,
                  document: str = "", details: dict[str, Any] | None = None) -> None:  # fmt: skip
            at = self.at(day)
            if events and at <= events[-1]["at"]:  # two steps on one day: keep their order
                at = events[-1]["at"] + dt.timedelta(minutes=rng.randint(5, 90))
            events.append({
                "id": self.ids(LifecycleEvent), "scale_id": scale_id, "transition": transition,
                "from_state": from_state, "to_state": to_state, "at": at,
                "user_id": None, "organisation_id": org, "document": document, "note": "",
                "details": details or {},
            })  # fmt: skip

        production_code = f"SC{maker.division[:2]}{maker.id:03d}{day:%y%m}{serial_no:07d}"
        values["serial"] = f"{day:%y}{serial_no:08d}"
        values["production_code"] = production_code
        values["manufactured_on"] = day
        event("manufacture", "", S.MANUFACTURED, maker.id, production_code)
        state = S.MANUFACTURED

        def advance(days_low: int, days_high: int) -> None:
            nonlocal day
            day = min(day + dt.timedelta(days=rng.randint(days_low, days_high)), limit)

        if final == S.MANUFACTURED:
            return self._emit(values, events, state, day)
        advance(0, 10)
        seals = [f"QF{maker.division[:2]}{scale_id:08d}", f"FW{rng.getrandbits(36):011d}"]
        values["seal_ids"] = seals
        values["calibration_counter"] = rng.randint(1, 3)
        values["configuration_counter"] = rng.randint(1, 6)
        event("release", state, S.IN_STOCK, maker.id, details={"seal_ids": seals})
        state = S.IN_STOCK
        if final == S.IN_STOCK:
            return self._emit(values, events, state, day)
        market = rng.choice(w.markets)
        advance(3, 60)
        values["operator_id"] = market.operator_id
        values["division_id"] = market.division
        event("sell", state, S.SOLD, maker.id, details={"operator": market.operator_id})
        state = S.SOLD
        if final == S.SOLD:
            return self._emit(values, events, state, day)
        stall_id, vendor_id = rng.choice(market.stalls)
        advance(1, 20)
        values.update(market_id=market.id, stall_id=stall_id, vendor_id=vendor_id)
        event("register", state, S.REGISTERED, market.operator_id,
              details={"market": market.id, "stall": stall_id, "vendor": vendor_id})  # fmt: skip
        state = S.REGISTERED
        if final == S.REGISTERED:
            return self._emit(values, events, state, day)

        labs = (
            w.labs_by_area.get(self.area_of(market.division))
            or w.labs_by_area[province_of(market.division)]
        )
        inspector = w.regulators.get(market.division) or w.regulators[province_of(market.division)]
        if final == S.REJECTED and rng.random() < 0.3:  # failed its initial verification
            day = passes[0]
            event("fail_verification", state, S.REJECTED, rng.choice(labs),
                  f"JD-TZ{day:%Y}{rng.randrange(10**6):06d}")  # fmt: skip
            return self._emit(values, events, S.REJECTED, day)

        # Verified into service, then re-verified about once a year.
        limit = today
        for when in passes:
            day = when
            lab = rng.choice(labs)
            valid_until = self.valid_until(day)
            verification_code = f"JD{market.division}{day:%y}{rng.randrange(10**7):07d}"
            seals = [f"JD{market.division[:4]}{rng.randrange(10**8):08d}", values["seal_ids"][-1]]
            values.update(valid_until=valid_until, verification_code=verification_code,
                          seal_ids=seals)  # fmt: skip
            event("pass_verification", state, S.IN_SERVICE, lab,
                  f"JD-ZS{day:%Y}{rng.randrange(10**6):06d}",
                  {"valid_until": valid_until.isoformat(), "verification_code": verification_code,
                   "seal_ids": seals, "calibration_counter": values["calibration_counter"],
                   "configuration_counter": values["configuration_counter"]})  # fmt: skip
            state = S.IN_SERVICE
        if values["valid_until"] < today:
            day = values["valid_until"] + dt.timedelta(days=1)
            event("expire", state, S.OVERDUE, None)
            state = S.OVERDUE
        if final in (S.IN_SERVICE, S.OVERDUE):
            return self._emit(values, events, state, day)

        if final in (S.LOCKED, S.REPAIRED):
            advance(1, 120)
            event("lock", state, S.LOCKED, None, details={"reason": "case_opened"})
            state = S.LOCKED
            if final == S.REPAIRED:
                advance(1, 20)
                repairer = w.repairers_by_city.get(self.area_of(market.division)) or rng.choice(
                    w.repairers_by_province[market.division[:2]]
                )
                repair_code = f"WX{market.division[:4]}{rng.randrange(10**8):08d}"
                seals = [
                    f"WX{market.division[:4]}{rng.randrange(10**8):08d}",
                    values["seal_ids"][-1],
                ]
                values.update(repair_code=repair_code, seal_ids=seals)
                values["calibration_counter"] += 1
                event("repair", state, S.REPAIRED, repairer,
                      f"WXJL{day:%Y}{rng.randrange(10**6):06d}",
                      {"repair_code": repair_code, "seal_ids": seals})  # fmt: skip
                state = S.REPAIRED
            return self._emit(values, events, state, day)
        if final == S.REJECTED:
            advance(1, 200)
            if rng.random() < 0.5:
                event("fail_inspection", state, S.REJECTED, inspector,
                      f"JC{day:%Y}{rng.randrange(10**6):06d}")  # fmt: skip
            else:
                day = max(day, values["valid_until"] - dt.timedelta(days=10))
                day = min(day, today)
                event("fail_verification", state, S.REJECTED, rng.choice(labs),
                      f"JD-TZ{day:%Y}{rng.randrange(10**6):06d}")  # fmt: skip
            values["valid_until"] = None
            return self._emit(values, events, S.REJECTED, day)
        if final in (S.RETIRED, S.SCRAPPED):
            advance(1, 200)
            event("retire", state, S.RETIRED, market.operator_id)
            state = S.RETIRED
            if final == S.SCRAPPED:
                advance(1, 60)
                event("scrap", state, S.SCRAPPED, market.operator_id)
                state = S.SCRAPPED
            return self._emit(values, events, state, day)
        # Seized for a cheating feature, perhaps destroyed after the penalty decision.
        advance(1, 200)
        event("seize", state, S.SEIZED, inspector,
              f"{PROVINCE_ABBREVIATIONS.get(market.division[:2], '')}市监扣字〔{day:%Y}〕"
              f"{rng.randint(1, 999)}号")  # fmt: skip
        values["valid_until"] = None
        state = S.SEIZED
        if final == S.DESTROYED:
            advance(10, 90)
            event("destroy", state, S.DESTROYED, inspector,
                  f"{PROVINCE_ABBREVIATIONS.get(market.division[:2], '')}市监罚字〔{day:%Y}〕"
                  f"{rng.randint(1, 999)}号")  # fmt: skip
            state = S.DESTROYED
        return self._emit(values, events, state, day)

    def _emit(self, values: dict[str, Any], events: list[dict[str, Any]], state: str,
              day: dt.date) -> None:  # fmt: skip
        values["state"] = state
        values["state_changed_at"] = events[-1]["at"]
        shown = codes.display(values["code"])
        self.writer.add(Scale, values, shown)
        for e in events:
            self.writer.add(LifecycleEvent, e, f"{shown} {e['transition']} {e['at']:%Y-%m-%d}")

    # -- users -----------------------------------------------------------------------------

    def seed_users(self) -> list[DemoUser]:
        w = self.world
        wanted = [
            ("admin", None, [Role.ADMIN], "superuser"),
            ("nation_inspector", w.regulators[NATION], [Role.INSPECTOR], "national inspector"),
            ("zhejiang_inspector", w.regulators[ZHEJIANG], [Role.INSPECTOR],
             "Zhejiang province inspector"),
            ("xihu_inspector", w.regulators[XIHU], [Role.INSPECTOR],
             "Hangzhou Xihu county inspector"),
            ("maker", w.demo["manufacturer"], [Role.STAFF, Role.ADMIN], "manufacturer staff"),
            ("verifier", w.demo["verification"], [Role.VERIFIER, Role.CHECKER],
             "verifier, Hangzhou lab"),
            ("operator", w.demo["market_operator"], [Role.STAFF], "market operator"),
            ("repairer", w.demo["repairer"], [Role.REPAIRER], "repairer"),
        ]  # fmt: skip
        orgs = {o.pk: o for o in Organisation.objects.filter(pk__in=[x[1] for x in wanted if x[1]])}
        made = []
        for username, org_id, roles, label in wanted:
            org = orgs.get(org_id) if org_id else None
            if username == "admin":
                User.objects.create_superuser(username, "admin@demo.invalid", DEMO_PASSWORD,
                                              roles=roles)  # fmt: skip
            else:
                User.objects.create_user(username, password=DEMO_PASSWORD, organisation=org,
                                         roles=roles, first_name=label)  # fmt: skip
            made.append(DemoUser(username, DEMO_PASSWORD, label, org.name if org else "—"))
        return made

    # -- the whole job ---------------------------------------------------------------------

    def run(self) -> SeedResult:
        import time

        started = time.perf_counter()
        w = self.world
        w.divisions = dict(
            Division.objects.filter(valid_until__isnull=True)
            .exclude(code=NATION)
            .order_by("code")
            .values_list("code", "name")
        )
        with transaction.atomic(), _collector_paused():
            reset_database()
            self.seed_regulators()
            self.seed_manufacturers()
            self.seed_institutions()
            self.seed_type_approvals()
            self.writer.flush()
            self.seed_markets()
            self.writer.flush()
        self._maker_cum = list(_cumulative(w.manufacturer_weights))
        self._serials: dict[int, int] = {}
        self.seed_scales()
        with transaction.atomic():
            _reset_sequences(self.writer.specs)
            users = self.seed_users()
        counts = dict(self.writer.written)
        return SeedResult(
            counts=counts,
            users=users,
            seconds=time.perf_counter() - started,
            rows=self.writer.total_rows,
        )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch of rows is built and written.

    A batch is hundreds of thousands of rows, change records and log leaves: small containers
    without reference cycles, freed by reference counting when the batch is flushed. As they
    pile up, the collector walks them again and again and finds nothing (a 20,000-scale seeding
    leaves 0 unreachable objects behind); that was a quarter of seeding's time. It runs as usual
    between batches, so anything cyclic a batch did make is still collected.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cumulative(weights: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="scale", unit_scale=True, desc="scales")


def seed(*, scales: int = 20_000, seed: int = 1, progress: bool = False) -> SeedResult:
    """Replace the database's contents (divisions kept) with the demo data set."""
    return Seeder(scales=scales, seed=seed, progress=progress).run()
