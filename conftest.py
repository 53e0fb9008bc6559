"""Project-wide pytest set-up: the PostgreSQL switch and browser/server availability."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def world(db):
    """A small, realistic jurisdiction: Zhejiang with Hangzhou (Xihu) and Ningbo, plus Jiangsu.

    Every actor kind has an organisation and a user inside Hangzhou Xihu, and a twin outside.
    """
    from types import SimpleNamespace

    from chengxin.organizations.choices import OrganisationKind as K
    from chengxin.organizations.choices import Role
    from chengxin.testing import factories as f

    w = SimpleNamespace()
    w.nation = f.organisation(K.REGULATOR, "000000", name="国家市场监督管理总局")
    w.zhejiang = f.organisation(K.REGULATOR, "330000", name="浙江省市场监督管理局")
    w.hangzhou = f.organisation(K.REGULATOR, "330100", name="杭州市市场监督管理局")
    w.xihu = f.organisation(K.REGULATOR, "330106", name="西湖区市场监督管理局")
    w.ningbo = f.organisation(K.REGULATOR, "330200", name="宁波市市场监督管理局")
    w.jiangsu = f.organisation(K.REGULATOR, "320000", name="江苏省市场监督管理局")
    w.maker = f.organisation(K.MANUFACTURER, "330106", name="杭州衡器有限公司")
    w.other_maker = f.organisation(K.MANUFACTURER, "320102", name="南京衡器有限公司")
    w.lab = f.organisation(K.VERIFICATION, "330100", name="杭州市质量技术监督检测院")
    w.other_lab = f.organisation(K.VERIFICATION, "320100", name="南京市计量监督检测院")
    w.repairer = f.organisation(K.REPAIRER, "330106", name="西湖衡器维修部")
    w.operator = f.organisation(K.MARKET_OPERATOR, "330106", name="西湖农贸市场有限公司")
    w.other_operator = f.organisation(K.MARKET_OPERATOR, "330203", name="海曙菜场管理公司")
    w.evaluator = f.organisation(K.PATTERN_EVALUATION, "330100", name="浙江省计量院型评中心")
    f.authorisation(w.lab, w.zhejiang, "330100")
    f.authorisation(w.other_lab, w.jiangsu, "320100")
    f.authorisation(w.repairer, w.zhejiang, "330100")

    w.u_nation = f.user(w.nation, Role.INSPECTOR)
    w.u_zhejiang = f.user(w.zhejiang, Role.INSPECTOR)
    w.u_xihu = f.user(w.xihu, Role.INSPECTOR)
    w.u_ningbo = f.user(w.ningbo, Role.INSPECTOR)
    w.u_maker = f.user(w.maker, Role.STAFF)
    w.u_other_maker = f.user(w.other_maker, Role.STAFF)
    w.u_verifier = f.user(w.lab, Role.VERIFIER)
    w.u_other_verifier = f.user(w.other_lab, Role.VERIFIER)
    w.u_repairer = f.user(w.repairer, Role.REPAIRER)
    w.u_operator = f.user(w.operator, Role.STAFF)
    w.u_other_operator = f.user(w.other_operator, Role.STAFF)
    w.u_evaluator = f.user(w.evaluator, Role.STAFF)

    w.approval = f.type_approval(w.maker, w.zhejiang)
    w.other_approval = f.type_approval(w.other_maker, w.jiangsu)
    w.market = f.market(w.operator)
    w.stall = f.stall(w.market)
    w.vendor = f.vendor(w.market)
    w.other_market = f.market(w.other_operator)
    w.other_stall = f.stall(w.other_market)
    return w


def pytest_report_header(config):
    url = os.environ.get("CHENGXIN_TEST_DATABASE_URL")
    return f"chengxin database: {'PostgreSQL ' + url if url else 'SQLite (in memory)'}"
