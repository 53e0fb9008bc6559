"""Query counts of filtered list pages and list API endpoints at several page sizes.

The counts must not grow with the page size (an N+1 shows as a count that does); the tests
enforce it, this prints them on the demo data set left by the seeding benchmark.
"""

from __future__ import annotations

import os

PAGES = [
    ("console", "/scales/?state=in_service&page_size={n}", (25, 100, 200)),
    ("console", "/scales/?division=3301&sort=-valid_until&page_size={n}", (25, 100, 200)),
    ("console", "/type-approvals/?status=valid&page_size={n}", (25, 100, 200)),
    ("console", "/organisations/?kind=verification&page_size={n}", (25, 100, 200)),
    ("console", "/markets/?page_size={n}", (25, 100, 200)),
    ("api", "/api/v1/scales/?state=in_service&page_size={n}", (10, 100, 500)),
    ("api", "/api/v1/scales/?division=3301&page_size={n}", (10, 100, 500)),
    ("api", "/api/v1/type-approvals/?page_size={n}", (10, 100, 500)),
    ("api", "/api/v1/organisations/?kind=verification&page_size={n}", (10, 100, 500)),
    ("api", "/api/v1/markets/?page_size={n}", (10, 100, 500)),
]


def run() -> list[tuple[str, str, list[int | str]]]:
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    os.environ.setdefault("BENCH_SQLITE_NAME", "seeding")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from chengxin.organizations.models import User

    print("\n== 3. queries per request (must not grow with page size) ==")
    rows = []
    for username in ("nation_inspector", "xihu_inspector"):
        user = User.objects.filter(username=username).first()
        if user is None:
            print("   (no demo data: run the seeding benchmark first)")
            return rows
        client = Client()
        client.force_login(user)
        print(f"   as {username}:")
        for kind, template, sizes in PAGES:
            counts: list[int | str] = []
            for n in sizes:
                with CaptureQueriesContext(connection) as ctx:
                    response = client.get(template.format(n=n), HTTP_ACCEPT="application/json"
                                          if kind == "api" else "text/html")  # fmt: skip
                counts.append(len(ctx) if response.status_code == 200 else
                              f"HTTP {response.status_code}")  # fmt: skip
            label = template.replace("page_size={n}", "page_size=" + "/".join(map(str, sizes)))
            flag = "" if len(set(counts)) == 1 else "   <-- grows with page size"
            print(f"     {kind:8} {label:62} {' / '.join(map(str, counts))}{flag}")
            rows.append((username, label, counts))
    return rows


if __name__ == "__main__":
    run()
