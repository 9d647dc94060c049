"""A synthetic diarium: ``n`` ärenden with valid lives, loaded fast.

The country grows by bodies, not by making each body bigger: there is one organ per 5,000
ärenden, each with a stabschef, a nämndsekreterare and ten handläggare, and ten years of
ärenden. Nearly every ärende has ten workflow history entries (creation and nine
transitions, taken by the right people by the lifecycle's rules, with comments where
required), so ``n`` ärenden give ``10 n`` entries. One ärende has 500 entries and 500
field-history rows (the long case the ärende page must not slow down on). Every chain is a
valid SHA-256 chain made by :func:`workflow.hashing.entry_hash`, so ``verify_history``
passes.

On PostgreSQL the rows go in with COPY (psycopg 3), two processes at a time, with the
indexes and constraints of the loaded tables dropped first and rebuilt afterwards; on
SQLite (the quick mode's small sizes) with executemany.
"""

from __future__ import annotations

import datetime
import json
import multiprocessing
import random
import time
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, transaction
from django.db.models import Max

from arenden.models import Arende, Nummerserie, Organ
from arenden.organisation import roles
from flows.namn import ArendeStatus, ArendeSteg
from tests.benchmark.common import say
from workflow import fieldhistory, hashing
from workflow.models import LocalRole, WorkflowHistory

#: bump when the generated data changes, so that a kept database is not reused by mistake
VERSION = 4
ARENDEN_PER_ORGAN = 5000
HANDLAGGARE_PER_ORGAN = 10
YEARS = 10
FIRST_YEAR = 2016
BIG_ENTRIES = 500
UTC = datetime.UTC

ADJEKTIV = (
    "palliativ nära digital regional förebyggande psykiatrisk akut hållbar kommunal "
    "gemensam specialiserad jämlik tillgänglig samordnad barnanpassad förstärkt utökad "
    "förnyad ny långsiktig effektiv trygg säker miljövänlig personcentrerad"
).split()
SUBSTANTIV = (
    "vård tandvård ambulanssjukvård kollektivtrafik folkhälsa läkemedelsförsörjning "
    "barnhälsovård mödrahälsovård cancervård rehabilitering habilitering hjälpmedel "
    "primärvård akutsjukvård ungdomsmottagning förlossningsvård äldreomsorg kompetensförsörjning "
    "bemanning upphandling fastighetsförvaltning lokalförsörjning informationssäkerhet "
    "kulturverksamhet regionutveckling näringslivsutveckling beredskap krisberedskap "
    "vaccinationsverksamhet missbruksvård beroendevård suicidprevention digitalisering "
    "journalföring tolkförmedling sjukresor färdtjänst skolskjuts bredbandsutbyggnad "
    "avfallshantering vattenförsörjning energieffektivisering klimatanpassning "
    "naturvård friluftsliv idrottsanläggningar biblioteksverksamhet museiverksamhet "
    "samverkan patientsäkerhet tillgänglighet väntetider vårdköer"
).split()
ORTER = (
    "Kiruna Gällivare Pajala Övertorneå Haparanda Kalix Överkalix Luleå Boden Piteå "
    "Älvsbyn Arvidsjaur Arjeplog Jokkmokk Skellefteå Umeå Lycksele Vilhelmina Storuman "
    "Sorsele Malå Norsjö Robertsfors Vännäs Vindeln Bjurholm Nordmaling Örnsköldsvik "
    "Kramfors Härnösand Sundsvall Timrå Östersund Krokom Åre Strömsund Sveg Hudiksvall "
    "Söderhamn Bollnäs Gävle Sandviken Falun Borlänge Mora Uppsala Västerås Örebro "
    "Karlstad Linköping Norrköping Jönköping Växjö Kalmar Karlskrona Kristianstad Malmö "
    "Lund Helsingborg Halmstad Göteborg Borås Visby"
).split()
INLEDNING = {
    "initiativarende": "Initiativärende om",
    "motion": "Motion om",
    "medborgarforslag": "Medborgarförslag om",
    "remiss": "Remiss om",
    "skrivelse": "Skrivelse om",
    "uppdrag": "Uppdrag att utreda",
    "informationsarende": "Information om",
}
#: full-text searches a registrator or revisor would type: a rare pair, a common word, a place
SEARCHES = ["palliativ vård Kiruna", "ambulanssjukvård", "tolkförmedling Umeå", "Gällivare"]

COMMENTS = {
    ArendeSteg.BORDLAGGA: "Bordlagt till nästa sammanträde.",
    ArendeSteg.ATERREMITTERA: "Återremitteras för komplettering av beslutsunderlaget.",
    ArendeSteg.VILA: "Vilande i väntan på nationellt besked.",
    ArendeSteg.AVSKRIVA: "Avskrivs, frågan är inaktuell.",
}
#: who takes each transition: the organ's stabschef or nämndsekreterare, or the handläggare
ACTOR = {
    ArendeSteg.TILLDELA: "stabschef",
    ArendeSteg.VILA: "stabschef",
    ArendeSteg.ATERUPPTA: "stabschef",
    ArendeSteg.AVSKRIVA: "stabschef",
    ArendeSteg.AVSLUTA: "stabschef",
    ArendeSteg.PABORJA_BEREDNING: "handlaggare",
    ArendeSteg.MARKERA_BEREDD: "handlaggare",
    ArendeSteg.ATERUPPTA_BEREDNING: "handlaggare",
    ArendeSteg.ANMAL: "sekreterare",
    ArendeSteg.BESLUTA: "sekreterare",
    ArendeSteg.BORDLAGGA: "sekreterare",
    ArendeSteg.ATERREMITTERA: "sekreterare",
    ArendeSteg.EXPEDIERA: "sekreterare",
    ArendeSteg.BEVAKA: "sekreterare",
}
ROLE_OF = {
    "stabschef": roles.STABSCHEF,
    "sekreterare": roles.NAMNDSEKRETERARE,
    "handlaggare": roles.HANDLAGGARE,
}

T, P, M, A = "tilldela", "paborja_beredning", "markera_beredd", "ateruppta_beredning"
N, B, E, V, X = "anmal", "besluta", "expediera", "bevaka", "avsluta"
BL, AR, VI, AU, AV = "bordlagga", "aterremittera", "vila", "ateruppta", "avskriva"
#: one path of nine transitions (ten entries) into each state, except where the lifecycle
#: allows no more (registrerat: creation only; tilldelat: one transition)
PATHS = {
    ArendeStatus.REGISTRERAT: [],
    ArendeStatus.TILLDELAT: [T],
    ArendeStatus.UNDER_BEREDNING: [T, VI, AU, M, A, M, A, M, A],
    ArendeStatus.ATERREMITTERAT: [T, P, M, N, AR, P, M, N, AR],
    ArendeStatus.BEREDD: [T, P, M, A, M, A, M, A, M],
    ArendeStatus.ANMALT: [T, VI, AU, M, N, BL, N, BL, N],
    ArendeStatus.BESLUTAT: [T, P, M, N, BL, N, BL, N, B],
    ArendeStatus.EXPEDIERAT: [T, VI, AU, M, N, BL, N, B, E],
    ArendeStatus.BEVAKAS: [T, P, M, N, BL, N, B, E, V],
    ArendeStatus.AVSLUTAT: [T, P, M, N, BL, N, B, E, X],
    ArendeStatus.AVSKRIVET: [T, P, M, A, M, A, M, A, AV],
}
#: ten transitions (eleven entries): makes up for the short lives above, so that the total
#: is ten entries per ärende
LONG_AVSLUTAT = [T, P, M, A, M, N, B, E, V, X]
BIG_PATH = [T, VI, AU] + [M, A] * ((BIG_ENTRIES - 4) // 2)
#: the states of the year that is still open; earlier years are nearly all closed
OPEN_YEAR = [
    ("registrerat", 5),
    ("tilldelat", 10),
    ("under_beredning", 25),
    ("aterremitterat", 3),
    ("beredd", 10),
    ("anmalt", 5),
    ("beslutat", 4),
    ("expedierat", 3),
    ("bevakas", 10),
    ("avslutat", 25),
]
CLOSED_YEARS = [("avslutat", 97), ("bevakas", 2), ("avskrivet", 1)]


@dataclass(frozen=True)
class Layout:
    """Where everything is: derived from ``n`` alone, so every process agrees."""

    n: int
    organs: int
    ids: dict  # organ ids, and user ids per role (handläggare: ten per organ, in order)
    registrator_id: int
    ct_id: int

    @property
    def per_year(self) -> int:
        return -(-self.n // YEARS)

    def year_of(self, i: int) -> int:
        return i // self.per_year

    def organ_of(self, i: int) -> int:
        return (i - self.year_of(i) * self.per_year) % self.organs

    def lopnummer_of(self, i: int) -> int:
        return (i - self.year_of(i) * self.per_year) // self.organs + 1

    def handlaggare_of(self, i: int) -> int:
        organ = self.organ_of(i)
        index = (self.lopnummer_of(i) - 1) % HANDLAGGARE_PER_ORGAN
        return self.ids["handlaggare"][organ * HANDLAGGARE_PER_ORGAN + index]

    def actor_of(self, who: str, i: int) -> int:
        if who == "handlaggare":
            return self.handlaggare_of(i)
        return self.ids[who][self.organ_of(i)]

    @property
    def big(self) -> int:
        """The ärende with 500 entries: early in the open year."""
        return min(self.n - 1, (YEARS - 1) * self.per_year + 7)


def organ_count(n: int) -> int:
    return max(2, -(-n // ARENDEN_PER_ORGAN))


def _weighted(rng: random.Random, table) -> str:
    total = sum(w for _s, w in table)
    pick = rng.uniform(0, total)
    for state, weight in table:
        pick -= weight
        if pick <= 0:
            return state
    return table[-1][0]


def state_of(layout: Layout, i: int, rng: random.Random) -> str:
    if i == layout.big:
        return "under_beredning"
    open_year = layout.year_of(i) == YEARS - 1
    return _weighted(rng, OPEN_YEAR if open_year else CLOSED_YEARS)


def _usernames(role: str, organ: int, index: int = 0) -> str:
    if role == "handlaggare":
        return f"handlaggare-{organ:04d}-{index}"
    return f"{role}-{organ:04d}"


def _text(rng: random.Random, typ: str) -> str:
    return f"{INLEDNING[typ]} {rng.choice(ADJEKTIV)} {rng.choice(SUBSTANTIV)} i {rng.choice(ORTER)}"


def _rows_for(layout: Layout, i: int, long_avslutat: bool, columns: dict):
    """(ärende row, history rows, field-history rows, local-role rows) of ärende ``i``."""
    rng = random.Random(i * 7919 + 17)
    state = state_of(layout, i, rng)
    path = PATHS[state]
    if i == layout.big:
        path = BIG_PATH
    elif state == ArendeStatus.AVSLUTAT and long_avslutat:
        path = LONG_AVSLUTAT
    pk = i + 1
    year = FIRST_YEAR + layout.year_of(i)
    organ = layout.organ_of(i)
    typ = rng.choice(list(INLEDNING))
    registrerat = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(330))
    when = datetime.datetime.combine(registrerat, datetime.time(7), UTC) + datetime.timedelta(
        seconds=rng.randrange(8 * 3600), microseconds=rng.randrange(1_000_000)
    )
    label = "arenden.arende"
    registrator = layout.registrator_id
    entries = []
    prev = ""
    roles_creation = ["Anonymous", "Authenticated", roles.REGISTRATOR]
    digest = hashing.entry_hash(
        model_label=label,
        object_id=pk,
        seq=1,
        workflow="arende",
        transition="",
        from_state="",
        to_state=ArendeStatus.REGISTRERAT,
        actor_id=registrator,
        actor_name="registrator",
        roles=roles_creation,
        timestamp=when,
        comment="",
        prev_hash="",
    )
    key_id, key = hashing.current_key()  # each entry signed as the engine signs it
    entries.append(
        (layout.ct_id, pk, 1, "arende", "", "", "registrerat", registrator, "registrator",
         roles_creation, when, "", "", digest, key_id, hashing.entry_mac(key, key_id, digest))
    )  # fmt: skip
    prev, current, dates = digest, "registrerat", {}
    handlaggare = None
    for seq, transition in enumerate(path, start=2):
        when = when + datetime.timedelta(
            days=rng.randrange(1, 12),
            seconds=rng.randrange(86400),
            microseconds=rng.randrange(1000),
        )
        who = ACTOR[transition]
        actor = layout.actor_of(who, i)
        name = _usernames(who, organ, (layout.lopnummer_of(i) - 1) % HANDLAGGARE_PER_ORGAN)
        role_list = ["Anonymous", "Authenticated", ROLE_OF[who]]
        target = TARGETS[transition]
        comment = COMMENTS.get(transition, "")
        digest = hashing.entry_hash(
            model_label=label,
            object_id=pk,
            seq=seq,
            workflow="arende",
            transition=transition,
            from_state=current,
            to_state=target,
            actor_id=actor,
            actor_name=name,
            roles=role_list,
            timestamp=when,
            comment=comment,
            prev_hash=prev,
        )
        entries.append(
            (layout.ct_id, pk, seq, "arende", transition, current, target, actor, name,
             role_list, when, comment, prev, digest, key_id,
             hashing.entry_mac(key, key_id, digest))
        )  # fmt: skip
        prev, current = digest, target
        if transition == T:
            handlaggare = layout.handlaggare_of(i)
        if transition in (B, E, X, AV):
            dates[{B: "beslutat", E: "expedierat", X: "avslutat", AV: "avslutat"}[transition]] = (
                when.date()
            )
    values = {
        "id": pk,
        "block_local_roles": False,
        "state": current,
        "organ_id": layout.ids["organ"][organ],
        "serie": f"O{organ:04d}",
        "ar": year,
        "lopnummer": layout.lopnummer_of(i),
        "delnummer": 0,
        "arendemening": _text(rng, typ),
        "offentlig_rubrik": "",
        "typ": typ,
        "registrerat": registrerat,
        "handlaggare_id": handlaggare,
        **dates,
    }
    arende_row = tuple(values.get(c, default) for c, default in columns["arende"])
    created = entries[0][10]
    field_history = []
    steps = [(created, "registrerat", "+", None, registrator)]
    if i == layout.big:  # the long case has the field history of every transition
        steps += [(e[10], e[6], "~", e[4], e[7]) for e in entries[1:]]
    signer = fieldhistory.signer_for(Arende.history.model)  # each row signed, and linked
    defaults = dict(columns["historical"])
    mac = ""
    for history_date, step_state, kind, reason, user_id in steps:
        row = dict(values, state=step_state, history_date=history_date, history_type=kind)
        row["history_change_reason"] = reason
        row["history_user_id"] = user_id
        signed = [row.get(name, defaults[name]) for name in signer.attnames]
        row["history_key_id"], row["history_prev_mac"] = key_id, mac
        row["history_mac"] = mac = signer.mac(key, key_id, signed, mac)
        field_history.append(tuple(row.get(c, d) for c, d in columns["historical"]))
    local = []
    if handlaggare is not None:
        row = {
            "content_type_id": layout.ct_id,
            "object_id": pk,
            "role": roles.HANDLAGGARE,
            "user_id": handlaggare,
            "granted_at": created,
            "granted_by_id": layout.actor_of("stabschef", i),
        }
        local.append(tuple(row.get(c, d) for c, d in columns["localrole"]))
    return arende_row, entries, field_history, local


TARGETS = {
    T: "tilldelat",
    P: "under_beredning",
    M: "beredd",
    A: "under_beredning",
    N: "anmalt",
    B: "beslutat",
    E: "expedierat",
    V: "bevakas",
    X: "avslutat",
    BL: "bordlagt",
    AR: "aterremitterat",
    VI: "vilande",
    AU: "under_beredning",
    AV: "avskrivet",
}


def _columns() -> dict:
    """Column names and defaults of the loaded tables, read from the models, so that a field
    added to Arende later is filled with its default instead of breaking the load."""

    def fields(model, skip=()):
        return [
            (f.column, f.get_default()) for f in model._meta.concrete_fields if f.column not in skip
        ]

    return {
        "arende": fields(Arende),
        "historical": fields(Arende.history.model, skip=("history_id",)),
        "history": fields(WorkflowHistory, skip=("id",)),
        "localrole": fields(LocalRole, skip=("id",)),
    }


TABLES = {
    "arende": Arende._meta.db_table,
    "historical": Arende.history.model._meta.db_table,
    "history": WorkflowHistory._meta.db_table,
    "localrole": LocalRole._meta.db_table,
}


def _long_avslutat(layout: Layout) -> set[int]:
    """Which closed ärenden take the eleven-entry path, so that entries total ten per ärende."""
    deficit = 0
    closed = []
    for i in range(layout.n):
        state = state_of(layout, i, random.Random(i * 7919 + 17))
        if i == layout.big:
            deficit -= len(BIG_PATH) + 1 - 10
        elif state == ArendeStatus.REGISTRERAT:
            deficit += 9
        elif state == ArendeStatus.TILLDELAT:
            deficit += 8
        elif state == ArendeStatus.AVSLUTAT:
            closed.append(i)
    step = max(1, len(closed) // max(1, deficit)) if deficit > 0 else 0
    return set(closed[::step][:deficit]) if step else set()


# -- the people ---------------------------------------------------------------------------


def make_people(n: int) -> Layout:
    organs = organ_count(n)
    made = Organ.objects.bulk_create(
        Organ(
            kod=f"O{k:04d}",
            namn=f"Nämnd {k:04d}",
            typ=Organ.Typ.NAMND,
            diarieprefix=f"O{k:04d}",
        )
        for k in range(organs)
    )
    usernames = ["registrator", "revisor"]
    for k in range(organs):
        usernames += [_usernames("stabschef", k), _usernames("sekreterare", k)]
        usernames += [_usernames("handlaggare", k, j) for j in range(HANDLAGGARE_PER_ORGAN)]
    User.objects.bulk_create(User(username=u, password="!") for u in usernames)
    ids = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
    for username, role in (("registrator", roles.REGISTRATOR), ("revisor", roles.REVISOR)):
        User.objects.get(pk=ids[username]).groups.add(Group.objects.get_or_create(name=role)[0])
    organ_ct = ContentType.objects.get_for_model(Organ)
    LocalRole.objects.bulk_create(
        LocalRole(content_type=organ_ct, object_id=organ.pk, role=role, user_id=ids[name])
        for k, organ in enumerate(made)
        for role, name in (
            (roles.STABSCHEF, _usernames("stabschef", k)),
            (roles.NAMNDSEKRETERARE, _usernames("sekreterare", k)),
        )
    )
    return Layout(
        n=n,
        organs=organs,
        ids={
            "organ": [o.pk for o in made],
            "stabschef": [ids[_usernames("stabschef", k)] for k in range(organs)],
            "sekreterare": [ids[_usernames("sekreterare", k)] for k in range(organs)],
            "handlaggare": [
                ids[_usernames("handlaggare", k, j)]
                for k in range(organs)
                for j in range(HANDLAGGARE_PER_ORGAN)
            ],
        },
        registrator_id=ids["registrator"],
        ct_id=ContentType.objects.get_for_model(Arende).pk,
    )


# -- writing rows -------------------------------------------------------------------------


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _copy_line(row) -> str:
    return "\t".join(map(_copy_value, row)) + "\n"


#: the order of the history rows made by _rows_for
HISTORY_COLUMNS = [
    "content_type_id", "object_id", "seq", "workflow", "transition", "from_state", "to_state",
    "actor_id", "actor_name", "roles", "timestamp", "comment", "prev_hash", "hash", "key_id",
    "mac",
]  # fmt: skip


def _generate(layout: Layout, long_avslutat: set[int], start: int, stop: int, sink) -> float:
    """Make the rows of ärenden ``start``…``stop`` and hand them to ``sink`` in batches;
    returns the seconds spent making them (the rest is the sink's)."""
    columns = _columns()
    if [c for c, _d in columns["history"]] != HISTORY_COLUMNS:
        raise RuntimeError("workflow_workflowhistory har ändrats: uppdatera synthetic.py")
    batch = {key: [] for key in TABLES}
    making = 0.0
    mark = time.perf_counter()
    for i in range(start, stop):
        arende, entries, field_history, local = _rows_for(layout, i, i in long_avslutat, columns)
        batch["arende"].append(arende)
        batch["history"].extend(entries)
        batch["historical"].extend(field_history)
        batch["localrole"].extend(local)
        if len(batch["history"]) >= 50_000:
            making += time.perf_counter() - mark
            sink(batch)
            mark = time.perf_counter()
            batch = {key: [] for key in TABLES}
    making += time.perf_counter() - mark
    sink(batch)
    return making


def _hash_cost() -> float:
    """Seconds per entry_hash call, measured here: the hashing's share of the load."""
    when = datetime.datetime(2020, 1, 1, tzinfo=UTC)
    fields = dict(model_label="arenden.arende", object_id=1, workflow="arende", from_state="a",
                  to_state="b", transition="t", actor_id=1, actor_name="handlaggare-0001-1",
                  roles=["Anonymous", "Authenticated", "Handläggare"], comment="",
                  prev_hash="0" * 64)  # fmt: skip
    start = time.perf_counter()
    for seq in range(20_000):
        hashing.entry_hash(seq=seq, timestamp=when, **fields)
    return (time.perf_counter() - start) / 20_000


def _pg_worker(layout, long_avslutat, start, stop, report):
    """One loading process: its own connection, its own COPY per table and batch."""
    connections.close_all()
    columns = _columns()
    raw = connection.cursor().connection  # psycopg 3 connection
    copying = 0.0

    def sink(batch):
        nonlocal copying
        mark = time.perf_counter()
        with raw.cursor() as cursor:
            for key, rows in batch.items():
                if not rows:
                    continue
                names = ", ".join(c for c, _d in columns[key])
                with cursor.copy(f"COPY {TABLES[key]} ({names}) FROM STDIN") as copy:
                    copy.write("".join(map(_copy_line, rows)))
        raw.commit()
        copying += time.perf_counter() - mark

    with raw.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    making = _generate(layout, long_avslutat, start, stop, sink)
    report.put({"generate_s": making, "copy_wait_s": copying})
    connections.close_all()


def _sqlite_sink(batch) -> None:
    columns = _columns()
    ops = connection.ops

    def adapt(value):
        if isinstance(value, datetime.datetime):
            return ops.adapt_datetimefield_value(value)
        if isinstance(value, list):
            return json.dumps(value, ensure_ascii=False)
        return value

    with transaction.atomic(), connection.cursor() as cursor:
        for key, rows in batch.items():
            if not rows:
                continue
            names = ", ".join(ops.quote_name(c) for c, _d in columns[key])
            marks = ", ".join(["%s"] * len(columns[key]))
            cursor.executemany(
                f"INSERT INTO {TABLES[key]} ({names}) VALUES ({marks})",
                [tuple(map(adapt, row)) for row in rows],
            )


# -- indexes off and on (PostgreSQL) ------------------------------------------------------


def _drop_indexes(tables) -> list[str]:
    """Drop the unique constraints, foreign keys and other indexes of ``tables`` (primary keys
    stay: ids arrive in order, and other tables' foreign keys depend on them); return what
    rebuilds them, in order: unique constraints, indexes, foreign keys."""
    names = list(tables)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, c.contype,
                   pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('u', 'f')
            """,
            [names],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[])
              AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [names],
        )
        indexes = cursor.fetchall()
        for table, name, _kind, _definition in sorted(constraints, key=lambda c: c[2] != "f"):
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    rebuild = [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, kind, definition in constraints
        if kind == "u"
    ]
    rebuild += [definition for _name, definition in indexes]
    rebuild += [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, kind, definition in constraints
        if kind == "f"
    ]
    return rebuild


def _rebuild(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        for sql in statements:
            cursor.execute(sql)


# -- the load -----------------------------------------------------------------------------


def load(n: int, processes: int = 2) -> dict:
    """Fill the (freshly migrated, empty) database; returns the figures of the load."""
    started = time.perf_counter()
    layout = make_people(n)
    long_avslutat = _long_avslutat(layout)
    figures: dict = {"arenden": n, "organ": layout.organs}
    if connection.vendor == "postgresql":
        rebuild = _drop_indexes(TABLES.values())
        prepared = time.perf_counter()
        ctx = multiprocessing.get_context("fork")
        connections.close_all()
        bounds = [n * k // processes for k in range(processes + 1)]
        report = ctx.Queue()
        workers = [
            ctx.Process(target=_pg_worker, args=(layout, long_avslutat, lo, hi, report))
            for lo, hi in zip(bounds, bounds[1:], strict=False)
        ]
        for w in workers:
            w.start()
        parts = [report.get() for _w in workers]
        for w in workers:
            w.join()
            if w.exitcode:
                raise RuntimeError(f"en laddningsprocess avslutades med felkod {w.exitcode}")
        copied = time.perf_counter()
        # where the loading processes' time went: making rows (of which hashing), and COPY
        figures["generate_s"] = sum(p["generate_s"] for p in parts)
        figures["copy_wait_s"] = sum(p["copy_wait_s"] for p in parts)
        figures["hash_us_per_entry"] = _hash_cost() * 1e6
        say(f"syntetisk data: rader inlästa med COPY på {copied - prepared:.0f} s, bygger index")
        _rebuild(rebuild)
        indexed = time.perf_counter()
        say(f"syntetisk data: index byggda på {indexed - copied:.0f} s, analyserar")
        with connection.cursor() as cursor:
            for table in TABLES.values():
                cursor.execute(f"VACUUM ANALYZE {table}")
            for table in (Arende._meta.db_table, WorkflowHistory._meta.db_table):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        figures.update(
            copy_s=copied - prepared,
            index_s=indexed - copied,
            analyze_s=time.perf_counter() - indexed,
        )
    else:
        _generate(layout, long_avslutat, 0, n, _sqlite_sink)
        figures["hash_us_per_entry"] = _hash_cost() * 1e6
    Nummerserie.objects.bulk_create(
        Nummerserie(prefix=serie, ar=ar, senaste=senaste)
        for serie, ar, senaste in Arende.objects.order_by()
        .values_list("serie", "ar")
        .annotate(senaste=Max("lopnummer"))
    )
    figures["load_s"] = time.perf_counter() - started
    figures["entries"] = WorkflowHistory.objects.count()
    figures["hash_s"] = figures["hash_us_per_entry"] * figures["entries"] / 1e6
    figures["layout"] = {
        "n": layout.n,
        "organs": layout.organs,
        "ids": layout.ids,
        "registrator_id": layout.registrator_id,
        "ct_id": layout.ct_id,
    }
    return figures


def layout_from(figures: dict) -> Layout:
    return Layout(**figures["layout"])


# -- a kept database remembers what was loaded into it ---------------------------------------

_MEMORY = "benchmark_syntetisk_data"


def remember(figures: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {_MEMORY} (version integer, figures text)")
        cursor.execute(f"DELETE FROM {_MEMORY}")
        cursor.execute(
            f"INSERT INTO {_MEMORY} (version, figures) VALUES (%s, %s)",
            [VERSION, json.dumps(figures, default=str)],
        )


def loaded_figures() -> dict | None:
    """What :func:`load` put in this database, if it is of this version."""
    if _MEMORY not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT figures FROM {_MEMORY} WHERE version = %s", [VERSION])
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None
