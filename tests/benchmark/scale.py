"""Reads at scale: the pages people open every day, on the synthetic diarium.

Each measurement is a named :class:`Measurement`. When the page's URL name exists it is
measured through ``django.test.Client`` (server side: URL routing, middleware, session, view,
template), logged in as the right person; when it does not, the same data is read with the
queries the page would make, and the result says so (``level``: ``sida`` or ``fråga``).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

from arenden.diarium import sokning
from arenden.gemensamt.sidor import Sida
from arenden.models import Arende
from flows.namn import ArendeStatus
from tests.benchmark import synthetic
from tests.benchmark.common import counting_queries, say, summary_ms
from workflow import roles as workflow_roles
from workflow.engine import allowed_transitions, history, worklist
from workflow.history import verify, verify_object
from workflow.models import WorkflowHistory

PAGE = 25
AUDIT_MONTH = (synthetic.FIRST_YEAR + 5, 3)
ROTATE = 20


@dataclass
class Context:
    """Who looks at what, taken from the synthetic layout."""

    layout: synthetic.Layout
    handlaggare: list[User]
    stabschefer: list[User]
    revisor: User
    big_pk: int
    big_handlaggare: User
    clients: dict = field(default_factory=dict)

    @classmethod
    def build(cls, layout: synthetic.Layout) -> Context:
        # handläggare spread over the organs (every seventh), the first organs' stabschefer
        handlaggare = layout.ids["handlaggare"][::7][:ROTATE]
        stabschefer = layout.ids["stabschef"][:ROTATE]
        big = layout.handlaggare_of(layout.big)
        users = User.objects.in_bulk([*handlaggare, *stabschefer, big])
        return cls(
            layout=layout,
            handlaggare=[users[i] for i in handlaggare],
            stabschefer=[users[i] for i in stabschefer],
            revisor=User.objects.get(username="revisor"),
            big_pk=layout.big + 1,
            big_handlaggare=users[big],
        )

    def client(self, user) -> Client:
        key = user.pk if user else None
        if key not in self.clients:
            client = Client()
            if user is not None:
                client.force_login(user)
            self.clients[key] = client
        return self.clients[key]


@dataclass
class Page:
    url_name: str
    kwargs: dict = field(default_factory=dict)


@dataclass
class Measurement:
    key: str
    title: str
    target_ms: float | None
    #: (page or None, GET parameters, user) for iteration i
    request: Callable[[Context, int], tuple[Page | None, dict, User | None]]
    #: the same reads without the page
    query: Callable[[Context, int], object]


def _fresh(user):
    """A user as a new request has it: no cached roles."""
    if user is not None:
        workflow_roles.forget(user)
    return user


def _first_page(qs) -> None:
    page = Paginator(qs, PAGE).get_page(1)
    list(page.object_list)
    page.paginator.count  # noqa: B018 - the page shows the total


def _worklist_query(name, users):
    def run(ctx: Context, i: int):
        user = _fresh(users(ctx)[i % len(users(ctx))])
        qs = (
            worklist(user, name)
            .select_related("organ", "handlaggare")
            .order_by("-registrerat", "-pk")
        )
        _first_page(qs)

    return run


def _arende_query(ctx: Context, i: int):
    user = _fresh(ctx.big_handlaggare)
    arende = Arende.objects.select_related("organ", "handlaggare").get(pk=ctx.big_pk)
    user.has_perm("arenden.view_arende", arende)
    list(history(arende).order_by("-seq")[:10])
    allowed_transitions(arende, user)


def _timeline_query(ctx: Context, i: int):
    arende = Arende.objects.get(pk=ctx.big_pk)
    list(history(arende))
    list(arende.history.select_related("history_user").order_by("history_date", "history_id"))
    verify_object(arende)


def _month():
    year, month = AUDIT_MONTH
    first = datetime.date(year, month, 1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return first, last


def _audit_person(ctx: Context, i: int) -> User:
    return ctx.stabschefer[i % len(ctx.stabschefer)]


def _audit_query(ctx: Context, i: int):
    first, last = _month()
    tz = datetime.UTC
    start = datetime.datetime.combine(first, datetime.time.min, tz)
    stop = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tz)
    qs = WorkflowHistory.objects.filter(
        content_type=ContentType.objects.get_for_model(Arende),
        actor=_audit_person(ctx, i),
        timestamp__gte=start,
        timestamp__lt=stop,
    ).order_by("-timestamp", "-pk")
    _first_page(qs)


def _search_term(i: int) -> str:
    return synthetic.SEARCHES[i % len(synthetic.SEARCHES)]


def _search_query(ctx: Context, i: int):
    """What the search page reads, as a revisor (who may see every ärende)."""
    list(Sida(sokning.sok(_fresh(ctx.revisor), q=_search_term(i)), 1, PAGE, rakna=True))


def _postlista_query(ctx: Context, i: int):
    qs = Arende.objects.exclude(state=ArendeStatus.MAKULERAT).select_related("organ")
    _first_page(qs.order_by("-registrerat", "-pk"))


def _month_params(ctx: Context, i: int) -> dict:
    first, last = _month()
    return {
        "person": _audit_person(ctx, i).username,
        "fran": first.isoformat(),
        "till": last.isoformat(),
    }


MEASUREMENTS = [
    Measurement(
        "mina_arenden",
        "Mina ärenden, första sidan (handläggare)",
        50,
        lambda ctx, i: (
            Page("arenden:mina_arenden"),
            {},
            ctx.handlaggare[i % len(ctx.handlaggare)],
        ),
        _worklist_query("mina_arenden", lambda ctx: ctx.handlaggare),
    ),
    Measurement(
        "att_tilldela",
        "Att tilldela, första sidan (stabschef)",
        50,
        lambda ctx, i: (
            Page("arenden:arbetslista", {"namn": "att_tilldela"}),
            {},
            ctx.stabschefer[i % len(ctx.stabschefer)],
        ),
        _worklist_query("att_tilldela", lambda ctx: ctx.stabschefer),
    ),
    Measurement(
        "arende",
        "Ärendesidan, ärende med 500 historikposter",
        100,
        lambda ctx, i: (Page("arenden:arende", {"pk": ctx.big_pk}), {}, ctx.big_handlaggare),
        _arende_query,
    ),
    Measurement(
        "tidslinje",
        "Tidslinjen (historik + fälthistorik), samma ärende",
        None,
        lambda ctx, i: (Page("arenden:tidslinje", {"pk": ctx.big_pk}), {}, ctx.revisor),
        _timeline_query,
    ),
    Measurement(
        "auditlogg",
        "Granskningsloggen, person och månad (revisor)",
        100,
        lambda ctx, i: (Page("arenden:auditlogg"), _month_params(ctx, i), ctx.revisor),
        _audit_query,
    ),
    Measurement(
        "sok",
        "Fritextsökning (revisor)",
        200,
        lambda ctx, i: (Page("arenden:sok"), {"q": _search_term(i)}, ctx.revisor),
        _search_query,
    ),
    Measurement(
        "postlista",
        "Postlistan, första sidan (allmänheten)",
        None,
        lambda ctx, i: (Page("arenden:postlista"), {}, None),
        _postlista_query,
    ),
]


def _page_url(page: Page | None) -> str | None:
    if page is None:
        return None
    try:
        return reverse(page.url_name, kwargs=page.kwargs)
    except NoReverseMatch:
        return None


def _measure(ctx: Context, m: Measurement, repeat: int) -> dict:
    page, _params, _user = m.request(ctx, 0)
    url = _page_url(page)
    result: dict = {"title": m.title, "target_p95_ms": m.target_ms}

    if url is not None:
        result["level"] = "sida"
        result["url"] = url

        def once(i):
            page, params, user = m.request(ctx, i)
            response = ctx.client(user).get(_page_url(page), params)
            if response.status_code != 200:
                raise RuntimeError(f"{m.key}: {url} svarade {response.status_code}")

    else:
        result["level"] = "fråga"

        def once(i):
            m.query(ctx, i)

    # warm-up: the connection, compiled templates, and the database's cache, with the same
    # requests as are then measured (each user's rows once read), so that the figures are
    # those of a page people open every day, not of the first visit after a bulk load
    for i in range(repeat):
        once(i)
    with counting_queries() as counter:
        once(0)
    result["queries"] = counter.count
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        once(i)
        times.append(time.perf_counter() - start)
    result.update(summary_ms(times))
    return result


def _verify() -> dict:
    start = time.perf_counter()
    report = verify()
    seconds = time.perf_counter() - start
    return {
        "title": "verify_history över all historik",
        "entries": report.entries,
        "objects": report.objects,
        "broken": len(report.broken),
        "seconds": seconds,
        "entries_per_s": report.entries / seconds,
        "target_entries_per_s": 100_000,
    }


def run(n: int, repeat: int = 50, reuse: bool = False) -> dict:
    """Load ``n`` ärenden (unless ``reuse`` finds them already loaded) and measure."""
    loaded = synthetic.loaded_figures() if reuse else None
    if loaded is not None and loaded.get("arenden") == n:
        say(f"skala {n}: återanvänder inläst data")
        figures = dict(loaded, reused=True)
    else:
        say(f"skala {n}: läser in syntetisk data")
        figures = synthetic.load(n)
        synthetic.remember(figures)
        say(f"skala {n}: inläst på {figures['load_s']:.0f} s ({figures['entries']} poster)")
    ctx = Context.build(synthetic.layout_from(figures))
    results = {"load": figures, "vendor": connection.vendor, "measurements": {}}
    for m in MEASUREMENTS:
        say(f"skala {n}: mäter {m.key}")
        results["measurements"][m.key] = _measure(ctx, m, repeat)
    say(f"skala {n}: verify_history över {figures['entries']} poster")
    results["verify"] = _verify()
    return results
