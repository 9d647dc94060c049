"""Known answers for the workflow history's hash chain, and tampering a revisor must see.

The golden vectors pin the canonical content of an entry three ways: the exact text written
out here, the SHA-256 of that text written out here, and an encoder in this file built from
the format's description alone (not from ``workflow.hashing``). The production hash, the
hash of entries stored and read back, and on PostgreSQL the hash the database computes itself
must all equal the literals.

The tamper tests change the table as only someone with the database's owner rights can: on
PostgreSQL the append-only trigger is first shown to refuse, then bypassed for the test's
transaction alone. Each change must be reported by the row-by-row verifier, by the verifier
inside PostgreSQL where it runs, by ``verify_object`` and by ``manage.py verify_history``.

Each entry is also signed (HMAC-SHA256 under a key outside the database); the golden MACs
are known answers too. What the signed chain cannot show by itself, to someone who also holds
the key: the newest entries of an object rewritten, ending in the object's own state. The
signed checkpoints outside the database show that (tests/test_workflow_kedja.py).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from tests.exampleapp.models import Document
from workflow import hashing
from workflow import history as verification
from workflow.engine import do_transition, history
from workflow.history import verify, verify_in_database, verify_object
from workflow.models import WorkflowHistory

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")

CONTENT = "innehållet har ändrats efter att posten skrevs"
LINK = "länken till föregående post stämmer inte"
MAC = "signaturen stämmer inte: posten är skriven eller omräknad utan historiknyckeln"
UNSIGNED = "posten är inte signerad med någon känd historiknyckel (skriven utanför systemet)"


def seq_reason(seq: int, expected: int) -> str:
    return f"löpnummer {seq} där {expected} väntades (en post saknas eller har flyttats)"


# -- the canonical format, described independently of workflow.hashing ----------------------

#: JSON's two-character escapes; every other character below U+0020 is written \u00xx with
#: lower-case hex digits, and everything else (non-ASCII included) is written as it is.
ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def json_string(text: str) -> str:
    out = []
    for char in text:
        if char in ESCAPES:
            out.append(ESCAPES[char])
        elif ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def utc_time(value: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ``: UTC, always six digits of microseconds."""
    t = value.astimezone(UTC)
    return (
        f"{t.year:04d}-{t.month:02d}-{t.day:02d}T"
        f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}.{t.microsecond:06d}Z"
    )


def canonical_text(
    *,
    model_label,
    object_id,
    seq,
    workflow,
    transition,
    from_state,
    to_state,
    actor_id,
    actor_name,
    roles,
    timestamp,
    comment,
    prev_hash,
) -> str:
    """The documented canonical content of one history entry.

    A JSON array without any whitespace, in exactly this order: model label
    (``app_label.model``), object id, seq (both integers), workflow id, transition id (empty
    for the creation), from state (empty for the creation), to state, actor id (integer or
    ``null``), actor name, the roles (an array of strings sorted by code point), the
    timestamp (:func:`utc_time`), the comment, and the previous entry's hash (empty for the
    first entry). The hash is the lower-case hex SHA-256 of the text's UTF-8 bytes.
    """
    items = [
        json_string(model_label),
        str(int(object_id)),
        str(int(seq)),
        json_string(workflow),
        json_string(transition),
        json_string(from_state),
        json_string(to_state),
        "null" if actor_id is None else str(int(actor_id)),
        json_string(actor_name),
        "[" + ",".join(json_string(role) for role in sorted(roles)) + "]",
        json_string(utc_time(timestamp)),
        json_string(comment),
        json_string(prev_hash),
    ]
    return "[" + ",".join(items) + "]"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fields_of(entry: WorkflowHistory) -> dict:
    ct = ContentType.objects.get_for_id(entry.content_type_id)
    return {
        "model_label": f"{ct.app_label}.{ct.model}",
        "object_id": entry.object_id,
        "seq": entry.seq,
        "workflow": entry.workflow,
        "transition": entry.transition,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "roles": entry.roles,
        "timestamp": entry.timestamp,
        "comment": entry.comment,
        "prev_hash": entry.prev_hash,
    }


# -- golden vectors -------------------------------------------------------------------------


@dataclass(frozen=True)
class Golden:
    fields: dict
    text: str
    digest: str


H1 = "29d259e50903732177eb89c1ce019ac504023439b11eb481104e17d196f92732"
H2 = "b4751007c50847f20a3f434b1c5a698096101bcb6e82c2a82e1c847c503c8dab"
H3 = "614c95f5c57c2f1a511a23a2db5975accca4c08c3f3c04af37661f1adfdae44f"
H4 = "6122c5550b59a91504a874f5b57405f54910f4925fb46d3b93489c6127c5c33a"

COMMENT_3 = (
    'Åter till beredning – ärendet "Bygglov 2024/17" saknar ritning\nSe bilaga\t(C:\\ritningar)\x0b'
)

#: One document's chain of four entries (object 4711, actors 7 and 12). Chosen so that any
#: change of the format shows: every value of entry 2 differs from every other, so swapping
#: two fields changes the text; the timestamps have zero, one and 999999 microseconds and two
#: are given in Stockholm time (winter and summer); the roles are given out of code-point
#: order (which differs from a case-insensitive order); the comments hold non-ASCII, a
#: character outside the BMP, a quote, a backslash, a newline, a tab and a control character;
#: entries 2-4 carry the previous entry's hash.
GOLDEN = [
    Golden(
        fields={
            "model_label": "exampleapp.document",
            "object_id": 4711,
            "seq": 1,
            "workflow": "dokument",
            "transition": "",
            "from_state": "",
            "to_state": "utkast",
            "actor_id": None,
            "actor_name": "",
            "roles": ["Anonymous"],
            "timestamp": datetime(2024, 3, 1, 8, 15, 0, 0, tzinfo=UTC),
            "comment": "",
            "prev_hash": "",
        },
        text=(
            '["exampleapp.document",4711,1,"dokument","","","utkast",null,"",["Anonymous"],'
            '"2024-03-01T08:15:00.000000Z","",""]'
        ),
        digest=H1,
    ),
    Golden(
        fields={
            "model_label": "exampleapp.document",
            "object_id": 4711,
            "seq": 2,
            "workflow": "dokument",
            "transition": "skicka",
            "from_state": "utkast",
            "to_state": "granskning",
            "actor_id": 7,
            "actor_name": "anna.åberg",
            "roles": ["Redaktör", "avdelningschef", "Författare"],
            "timestamp": datetime(2024, 3, 4, 9, 30, 15, 123456, tzinfo=STOCKHOLM),
            "comment": "Klar för granskning",
            "prev_hash": H1,
        },
        text=(
            '["exampleapp.document",4711,2,"dokument","skicka","utkast","granskning",7,'
            '"anna.åberg",["Författare","Redaktör","avdelningschef"],'
            '"2024-03-04T08:30:15.123456Z","Klar för granskning",'
            f'"{H1}"]'
        ),
        digest=H2,
    ),
    Golden(
        fields={
            "model_label": "exampleapp.document",
            "object_id": 4711,
            "seq": 3,
            "workflow": "dokument",
            "transition": "avvisa",
            "from_state": "granskning",
            "to_state": "utkast",
            "actor_id": 12,
            "actor_name": "bertil",
            "roles": ["Granskare"],
            "timestamp": datetime(2024, 7, 1, 14, 0, 0, 1, tzinfo=STOCKHOLM),
            "comment": COMMENT_3,
            "prev_hash": H2,
        },
        text=(
            '["exampleapp.document",4711,3,"dokument","avvisa","granskning","utkast",12,'
            '"bertil",["Granskare"],"2024-07-01T12:00:00.000001Z",'
            r'"Åter till beredning – ärendet \"Bygglov 2024/17\" saknar ritning\n'
            r'Se bilaga\t(C:\\ritningar)\u000b",'
            f'"{H2}"]'
        ),
        digest=H3,
    ),
    Golden(
        fields={
            "model_label": "exampleapp.document",
            "object_id": 4711,
            "seq": 4,
            "workflow": "dokument",
            "transition": "skicka",
            "from_state": "utkast",
            "to_state": "granskning",
            "actor_id": 7,
            "actor_name": "anna.åberg",
            "roles": ["Författare"],
            "timestamp": datetime(2024, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
            "comment": "Kompletterat med ritning 📐",
            "prev_hash": H3,
        },
        text=(
            '["exampleapp.document",4711,4,"dokument","skicka","utkast","granskning",7,'
            '"anna.åberg",["Författare"],"2024-12-31T23:59:59.999999Z",'
            f'"Kompletterat med ritning 📐","{H3}"]'
        ),
        digest=H4,
    ),
]
GOLDEN_IDS = [f"post-{g.fields['seq']}" for g in GOLDEN]

#: The keyed chain: each entry's MAC is HMAC-SHA256 under the history key of the text
#: ``<key id>\n<entry hash>``. Known answers for the golden entries under a test key,
#: computed once with Python's hmac module and written out here.
GOLDEN_KEY_ID = "prov-2026"
GOLDEN_KEY = "gyllene-vektorer-nyckel-2026-inte-hemlig"
GOLDEN_MACS = [
    "89d6dd0529163b0e533ecb6d464be83ed7a57276ef42b2fa63121c1f6b03cd85",
    "8ddc60b2b057c53f3e9d7ff39c360898eb80f8c0e616ebd8b7c9b024c113046c",
    "6af16501da9e98b463fc57103f5c462032a5a36b966815519a73b123153a3025",
    "a35faa40f62f251b17e71948e3b25fdf0c4488dfa47ccbbd2ded2188bfb1e021",
]


@pytest.fixture
def golden_key(settings):
    """The golden key as the current one; the one the migrations signed with (the first
    rows of the klassificeringsstruktur) an old key, as after a rotation."""
    key_id, key = hashing.current_key()
    settings.WORKFLOW_HISTORY_OLD_KEYS = {key_id: key.decode()}
    settings.WORKFLOW_HISTORY_KEY_ID = GOLDEN_KEY_ID
    settings.WORKFLOW_HISTORY_KEY = GOLDEN_KEY


def hmac_hex(key: str, text: str) -> str:
    return hmac.new(key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("golden", "mac"), list(zip(GOLDEN, GOLDEN_MACS, strict=True)), ids=GOLDEN_IDS
)
def test_written_out_key_and_hash_give_the_known_mac(golden, mac):
    assert hmac_hex(GOLDEN_KEY, f"{GOLDEN_KEY_ID}\n{golden.digest}") == mac
    assert hashing.entry_mac(GOLDEN_KEY.encode(), GOLDEN_KEY_ID, golden.digest) == mac


def test_the_mac_depends_on_the_key_the_key_id_and_the_hash():
    digest = GOLDEN[1].digest
    mac = GOLDEN_MACS[1]
    assert hashing.entry_mac(b"en-annan-nyckel", GOLDEN_KEY_ID, digest) != mac
    assert hashing.entry_mac(GOLDEN_KEY.encode(), "prov-2027", digest) != mac
    assert hashing.entry_mac(GOLDEN_KEY.encode(), GOLDEN_KEY_ID, GOLDEN[2].digest) != mac
    # a plain SHA-256 of the same text, what someone without the key could compute, differs
    assert sha256_hex(f"{GOLDEN_KEY_ID}\n{digest}") != mac


def test_entries_are_signed_with_the_current_key(golden_key, make_document, make_user):
    doc = make_document("Nyckel", creator=make_user("anna", "Författare"))
    [entry] = history(doc)
    assert entry.key_id == GOLDEN_KEY_ID
    assert entry.mac == hmac_hex(GOLDEN_KEY, f"{GOLDEN_KEY_ID}\n{entry.hash}")


@pytest.mark.parametrize("golden", GOLDEN, ids=GOLDEN_IDS)
def test_described_format_gives_the_written_out_text(golden):
    assert canonical_text(**golden.fields) == golden.text


@pytest.mark.parametrize("golden", GOLDEN, ids=GOLDEN_IDS)
def test_written_out_text_hashes_to_the_known_answer(golden):
    assert sha256_hex(golden.text) == golden.digest


@pytest.mark.parametrize("golden", GOLDEN, ids=GOLDEN_IDS)
def test_production_hash_is_the_known_answer(golden):
    assert hashing.entry_hash(**golden.fields) == golden.digest


def test_golden_vectors_form_one_chain_and_can_tell_fields_apart():
    """The vectors themselves are fit to pin the format: each links to the one before, and
    in entry 2 no two fields serialise alike, so a reordering of fields cannot go unseen."""
    assert [g.fields["prev_hash"] for g in GOLDEN] == ["", H1, H2, H3]
    assert [g.fields["seq"] for g in GOLDEN] == [1, 2, 3, 4]
    assert len({H1, H2, H3, H4}) == 4
    second = GOLDEN[1].fields
    serialised = [
        str(v) if isinstance(v, int) else utc_time(v) if isinstance(v, datetime) else repr(v)
        for v in second.values()
    ]
    assert len(set(serialised)) == len(serialised)
    assert second["roles"] != sorted(second["roles"])
    assert all(g.fields["timestamp"].tzinfo is not None for g in GOLDEN)


def insert_golden_chain() -> list[WorkflowHistory]:
    """The golden chain stored as the engine stores entries (roles sorted), signed with the
    golden key's known MACs, read back."""
    User.objects.create(pk=7, username="anna.åberg")
    User.objects.create(pk=12, username="bertil")
    ct = ContentType.objects.get_for_model(Document)
    for golden, mac in zip(GOLDEN, GOLDEN_MACS, strict=True):
        fields = dict(golden.fields)
        assert fields.pop("model_label") == f"{ct.app_label}.{ct.model}"
        fields["roles"] = sorted(fields["roles"])
        WorkflowHistory(
            content_type=ct, hash=golden.digest, key_id=GOLDEN_KEY_ID, mac=mac, **fields
        ).save()
    return list(WorkflowHistory.objects.filter(object_id=4711).order_by("seq"))


def test_golden_chain_keeps_its_hashes_through_the_database(golden_key):
    """What the database gives back (timestamps, roles, the comment's control characters)
    hashes to the same known answers, and every verifier accepts the chain."""
    stored = insert_golden_chain()
    assert [e.hash for e in stored] == [H1, H2, H3, H4]
    assert [e.mac for e in stored] == GOLDEN_MACS
    for entry, golden in zip(stored, GOLDEN, strict=True):
        assert entry.compute_hash() == golden.digest
        assert sha256_hex(canonical_text(**fields_of(entry))) == golden.digest
    assert stored[2].comment == COMMENT_3

    report = verify(WorkflowHistory.objects.all())  # row by row, on every database
    assert (report.entries, report.objects, report.broken) == (4, 1, [])
    report = verify()
    assert (report.entries, report.objects, report.broken) == (4, 1, [])


@pytest.mark.parametrize(
    ("key_id", "key", "reason"),
    [
        (GOLDEN_KEY_ID, "en-annan-nyckel-med-samma-id-0123456789", MAC),
        ("prov-2027", GOLDEN_KEY, UNSIGNED),
    ],
    ids=["other-key", "unknown-key-id"],
)
def test_golden_chain_fails_under_another_key(settings, monkeypatch, key_id, key, reason):
    """The same chain checked by a system that holds another key (or none under that id):
    its first entry is reported, on every verifier."""
    settings.WORKFLOW_HISTORY_KEY_ID, settings.WORKFLOW_HISTORY_KEY = key_id, key
    settings.WORKFLOW_HISTORY_OLD_KEYS = {}
    stored = insert_golden_chain()
    expected = [(4711, 1, stored[0].pk, reason)]
    assert found(verify(WorkflowHistory.objects.all())) == expected
    if connection.vendor == "postgresql":
        handed, report = in_database(monkeypatch)
        assert handed == {4711}
        assert found(report) == expected


def test_a_rotated_key_keeps_verifying_as_an_old_key(settings):
    """After a rotation the old key is listed among the old keys: the entries it signed
    verify, and new entries are signed with the new key."""
    settings.WORKFLOW_HISTORY_KEY_ID, settings.WORKFLOW_HISTORY_KEY = "prov-2027", "ny-nyckel-" * 4
    settings.WORKFLOW_HISTORY_OLD_KEYS = {GOLDEN_KEY_ID: GOLDEN_KEY}
    insert_golden_chain()
    assert verify(WorkflowHistory.objects.all()).intact
    settings.WORKFLOW_HISTORY_OLD_KEYS = {}
    assert not verify(WorkflowHistory.objects.all()).intact


def test_entries_the_engine_writes_hash_the_documented_format(walked):
    for doc in walked:
        entries = list(history(doc))
        assert [e.seq for e in entries] == [1, 2, 3, 4]
        prev = ""
        for entry in entries:
            assert entry.prev_hash == prev
            assert entry.hash == sha256_hex(canonical_text(**fields_of(entry)))
            prev = entry.hash


# -- tampering as the database's owner ------------------------------------------------------

TABLE = WorkflowHistory._meta.db_table


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def as_owner(*statements: tuple[str, list]) -> None:
    """Run UPDATE/DELETE statements on the history as the database's owner could.

    On PostgreSQL the append-only trigger must first refuse the first statement; then it is
    bypassed with ``session_replication_role = replica`` for this transaction only (``SET
    LOCAL``), and set back to ``origin`` right after. SQLite has no such trigger.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
        return
    assert connection.in_atomic_block  # SET LOCAL ends with the test's transaction
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(*statements[0])
    assert "arbetsflödeshistoriken är oföränderlig" in str(refused.value)
    assert refused.value.__cause__.sqlstate == "42501"
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            for sql, params in statements:
                cursor.execute(sql, params)
        finally:
            cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"


def update(entry_id: int, **values) -> tuple[str, list]:
    sets, params = [], []
    for name, value in values.items():
        field = WorkflowHistory._meta.get_field(name)
        sets.append(f"{qn(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    return f"UPDATE {qn(TABLE)} SET {', '.join(sets)} WHERE {qn('id')} = %s", [*params, entry_id]


def delete(entry_id: int) -> tuple[str, list]:
    return f"DELETE FROM {qn(TABLE)} WHERE {qn('id')} = %s", [entry_id]


def forged(entry: WorkflowHistory, **changes) -> tuple[str, list]:
    """The UPDATE of a forger who knows the algorithm: the changes, and the entry's hash
    recomputed over them."""
    for name, value in changes.items():
        setattr(entry, name, value)
    entry.hash = entry.compute_hash()
    return update(entry.pk, **changes, hash=entry.hash)


def append(doc, signed=False, **fields) -> WorkflowHistory:
    """A new entry at the end of ``doc``'s chain, correctly linked and hashed unless
    ``fields`` say otherwise, signed with the key only if ``signed`` (a forger without the
    key leaves it unsigned). INSERT is what the trigger allows."""
    last = history(doc).last()
    values = {
        "content_type": ContentType.objects.get_for_model(Document),
        "object_id": doc.pk,
        "seq": last.seq + 1,
        "workflow": "dokument",
        "transition": "godkann",
        "from_state": last.to_state,
        "to_state": "godkand",
        "actor_id": None,
        "actor_name": "",
        "roles": [],
        "timestamp": last.timestamp + timedelta(minutes=5),
        "comment": "",
        "prev_hash": last.hash,
    }
    values.update(fields)
    entry = WorkflowHistory(**values)
    if signed:
        entry.sign()
    else:
        entry.hash = entry.compute_hash()
    entry.save()
    return entry


# -- what the revisor runs ------------------------------------------------------------------


def run_command() -> tuple[bool, str, str]:
    out = StringIO()
    try:
        call_command("verify_history", stdout=out)
    except CommandError as error:
        return False, out.getvalue(), str(error)
    return True, out.getvalue(), ""


def found(report) -> list[tuple]:
    return [(b.object_id, b.seq, b.entry_id, b.reason) for b in report.broken]


def in_database(monkeypatch) -> tuple[set[int], object]:
    """``verify_in_database`` and the objects whose chains the SQL itself did not pass (the
    ones it hands to the row-by-row verifier to name the broken link)."""
    handed: set[int] = set()
    real = verification.verify_rows

    def spy(rows, labels):
        rows = list(rows)
        handed.update(row[2] for row in rows)
        return real(rows, labels)

    with monkeypatch.context() as patch:
        patch.setattr(verification, "verify_rows", spy)
        report = verify_in_database(connection)
    return handed, report


def assert_reported(monkeypatch, tampered, untouched, seq: int, reason: str) -> None:
    """Every verifier names the same first broken link of ``tampered``, and only that."""
    entry_id = WorkflowHistory.objects.for_object(tampered).get(seq=seq).pk
    expected = [(tampered.pk, seq, entry_id, reason)]

    assert found(verify(WorkflowHistory.objects.all())) == expected  # row by row
    assert found(verify_object(tampered)) == expected
    assert verify_object(untouched).intact
    if connection.vendor == "postgresql":
        handed, report = in_database(monkeypatch)
        assert handed == {tampered.pk}  # the SQL's own verdict, not only Python's
        assert found(report) == expected
    assert found(verify()) == expected

    ok, out, error = run_command()
    assert not ok
    line = f"BRUTEN  exampleapp.document {tampered.pk}: post {seq} (id {entry_id}): {reason}"
    assert line in out
    assert f"exampleapp.document {untouched.pk}:" not in out
    assert error.endswith("kontrollerade, 1 brutna kedjor.")


@pytest.fixture
def people(make_user):
    return {
        "anna": make_user("anna", "Författare"),
        "bertil": make_user("bertil", "Granskare"),
        "cecilia": make_user("cecilia", "Redaktör"),
    }


@pytest.fixture
def walked(people, make_document):
    """Two documents, each created, sent, sent back and sent again: four entries, ending
    in "granskning"."""
    docs = []
    for title in ("Bygglov Storgatan 1", "Bygglov Lillgatan 2"):
        doc = make_document(title, creator=people["anna"])
        do_transition(doc, "skicka", people["anna"], comment="Klar för beredning")
        do_transition(
            doc, "avvisa", people["bertil"], comment="Åter till beredning – ärendet saknar bilaga"
        )
        do_transition(doc, "skicka", people["anna"], comment="Kompletterat")
        assert doc.state == "granskning"
        docs.append(doc)
    return docs


def test_untouched_history_is_reported_intact_everywhere(walked, monkeypatch):
    for doc in walked:
        assert verify_object(doc).intact
    assert verify(WorkflowHistory.objects.all()).intact
    if connection.vendor == "postgresql":
        handed, report = in_database(monkeypatch)
        assert handed == set()
        assert (report.entries, report.objects, report.broken) == (8, 2, [])
    ok, out, _ = run_command()
    assert ok
    assert "Historiken är obruten. 8 poster i 2 objekt kontrollerade, 0 brutna kedjor." in out


#: One hashed field of entry 3 (the "avvisa") changed in place, its hash left as it was.
FIELD_CHANGES = {
    "workflow": lambda e, p: {"workflow": "hemligt_dokument"},
    "transition": lambda e, p: {"transition": "godkann"},
    "from_state": lambda e, p: {"from_state": "utkast"},
    "to_state": lambda e, p: {"to_state": "godkand"},
    "actor": lambda e, p: {"actor_id": p["cecilia"].pk},
    "actor_removed": lambda e, p: {"actor_id": None},
    "actor_name": lambda e, p: {"actor_name": "cecilia"},
    "roles_added": lambda e, p: {"roles": sorted([*e.roles, "Redaktör"])},
    "timestamp_plus_1us": lambda e, p: {"timestamp": e.timestamp + timedelta(microseconds=1)},
    "comment": lambda e, p: {"comment": "Godkänt utan anmärkning"},
    # looks the same on screen, other code points
    "comment_decomposed": lambda e, p: {"comment": unicodedata.normalize("NFD", e.comment)},
    "hash": lambda e, p: {"hash": "0" * 64},
}


@pytest.mark.parametrize("change", FIELD_CHANGES)
def test_changed_content_is_reported(walked, people, monkeypatch, change):
    tampered, untouched = walked
    entry = history(tampered)[2]
    values = FIELD_CHANGES[change](entry, people)
    assert all(getattr(entry, name) != value for name, value in values.items())

    as_owner(update(entry.pk, **values))

    assert_reported(monkeypatch, tampered, untouched, 3, CONTENT)


def delete_second(doc, people):
    second = history(doc)[1]
    return [delete(second.pk)], (3, seq_reason(3, 2))


def insert_third(doc, people):
    """Later entries moved up one place, a forged entry put at 3 and linked to entry 2."""
    entries = list(history(doc))
    statements = [update(e.pk, seq=e.seq + 1) for e in reversed(entries[2:])]

    def then():
        append(
            doc,
            seq=3,
            transition="godkann",
            from_state="granskning",
            to_state="godkand",
            actor_id=people["bertil"].pk,
            actor_name="bertil",
            roles=["Granskare"],
            timestamp=entries[1].timestamp + timedelta(minutes=1),
            prev_hash=entries[1].hash,
        )

    # the forged entry's hash is right, but it carries no signature
    return statements, (3, UNSIGNED), then


def swap_second_and_third(doc, people):
    second, third = list(history(doc))[1:3]
    statements = [
        update(second.pk, seq=1000),
        update(third.pk, seq=2),
        update(second.pk, seq=3),
    ]
    return statements, (2, LINK)


def relink_third_to_first(doc, people):
    """Entry 3 pointed past entry 2 to entry 1, its hash left."""
    first, _, third = list(history(doc))[:3]
    return [update(third.pk, prev_hash=first.hash)], (3, LINK)


def relink_over_removed_second(doc, people):
    """Entry 2 removed; entry 3 renumbered to 2, linked to entry 1 and rehashed; entry 4
    renumbered to 3 but not rehashed (the forger stopped one short of the end). The rehashed
    entry 3, now 2, no longer matches its signature."""
    first, second, third, fourth = list(history(doc))
    return [
        delete(second.pk),
        forged(third, seq=2, prev_hash=first.hash),
        update(fourth.pk, seq=3),
    ], (2, MAC)


def drop_third_relink_last(doc, people):
    """Entry 3 removed and the last entry relinked to entry 2 and rehashed, keeping its seq
    4: every link and hash holds and the state still matches, only the gap in the sequence
    shows the removal."""
    _, second, third, fourth = list(history(doc))
    return [delete(third.pk), forged(fourth, prev_hash=second.hash)], (4, seq_reason(4, 3))


def append_unlinked(doc, people):
    """A fifth entry (allowed by the trigger: it is an INSERT) linked to nothing."""

    def then():
        append(doc, transition="", from_state="granskning", to_state="granskning", prev_hash="")

    return [], (5, LINK), then


STRUCTURE_CHANGES = {
    "deleted_entry": delete_second,
    "inserted_entry": insert_third,
    "reordered_seq": swap_second_and_third,
    "relinked_prev_hash": relink_third_to_first,
    "relinked_over_gap": relink_over_removed_second,
    "deleted_entry_relinked": drop_third_relink_last,
    "appended_unlinked": append_unlinked,
}


@pytest.mark.parametrize("change", STRUCTURE_CHANGES)
def test_changed_structure_is_reported(walked, people, monkeypatch, change):
    tampered, untouched = walked
    statements, (seq, reason), *then = STRUCTURE_CHANGES[change](tampered, people)
    if statements:
        as_owner(*statements)
    for step in then:
        step()

    assert_reported(monkeypatch, tampered, untouched, seq, reason)


def test_forged_pair_is_caught_by_the_signature(walked, monkeypatch):
    """Entry 2 rewritten and rehashed, entry 3 relinked to it and rehashed: both are now
    correct in themselves as a plain SHA-256 chain, but the forger has no key, so entry 2's
    signature no longer matches its hash; the break shows at entry 2."""
    tampered, untouched = walked
    _, second, third, _ = list(history(tampered))
    first_statement = forged(second, comment="Godkänt av förvaltningschefen")
    as_owner(first_statement, forged(third, prev_hash=second.hash))
    assert third.compute_hash() == third.hash  # each forged entry is consistent in itself

    assert_reported(monkeypatch, tampered, untouched, 2, MAC)


def with_key(entry: WorkflowHistory, **changes) -> tuple[str, list]:
    """The UPDATE of a forger who also holds the history key (a leaked key): the changes,
    the hash recomputed and signed."""
    for name, value in changes.items():
        setattr(entry, name, value)
    entry.sign()
    return update(entry.pk, **changes, hash=entry.hash, mac=entry.mac, key_id=entry.key_id)


def test_forged_last_pair_is_caught_by_the_objects_state(walked, people, monkeypatch):
    """Even with the key: the last two entries rewritten into an approval and a
    publication, correctly linked, hashed and signed: the chain itself is consistent, so no
    link, hash or signature shows the forgery. The document's own state ("granskning"),
    which the forged chain no longer ends in, still shows it (and the checkpoints outside the
    database, tests/test_workflow_kedja.py)."""
    tampered, untouched = walked
    _, _, third, fourth = list(history(tampered))
    as_owner(
        with_key(third, transition="godkann", to_state="godkand", comment=""),
        with_key(
            fourth,
            transition="publicera",
            from_state="godkand",
            to_state="publicerad",
            actor_id=people["cecilia"].pk,
            actor_name="cecilia",
            roles=["Redaktör"],
            comment="",
            prev_hash=third.hash,
        ),
    )

    assert verify(WorkflowHistory.objects.all()).intact  # the chain alone is consistent
    reason = "status är granskning men historiken slutar i publicerad (senaste poster saknas)"
    assert found(verify()) == [(tampered.pk, 4, 0, reason)]
    ok, out, error = run_command()
    assert not ok
    assert f"BRUTEN  exampleapp.document {tampered.pk}: post 4 (id 0): {reason}" in out
    assert error.endswith("1 brutna kedjor.")


def drop_newest(doc):
    return [delete(history(doc).last().pk)]


def drop_chain(doc):
    return [delete(e.pk) for e in history(doc)]


TAIL_CHANGES = {
    "removed_newest_entry": (
        drop_newest,
        3,
        "status är granskning men historiken slutar i utkast (senaste poster saknas)",
    ),
    "removed_chain": (drop_chain, 0, "objektet saknar historik"),
}


@pytest.mark.parametrize("change", TAIL_CHANGES)
def test_removed_tail_is_reported_by_the_whole_history_check(walked, change):
    tampered, untouched = walked
    make, seq, reason = TAIL_CHANGES[change]
    as_owner(*make(tampered))

    assert verify(WorkflowHistory.objects.all()).intact  # what is left is consistent
    assert found(verify()) == [(tampered.pk, seq, 0, reason)]
    ok, out, error = run_command()
    assert not ok
    assert f"BRUTEN  exampleapp.document {tampered.pk}: post {seq} (id 0): {reason}" in out
    assert f"exampleapp.document {untouched.pk}:" not in out
    assert error.endswith("1 brutna kedjor.")


def test_appended_entry_with_another_state_is_reported(walked):
    """An INSERT passes the trigger: a forged approval appended, correctly linked, hashed
    and even signed with the key, is caught because the document itself is still in
    "granskning"."""
    tampered, _ = walked
    appended = append(tampered, actor_name="okänd", signed=True)
    assert WorkflowHistory.objects.filter(pk=appended.pk).exists()

    assert verify(WorkflowHistory.objects.all()).intact
    reason = "status är granskning men historiken slutar i godkand (senaste poster saknas)"
    assert found(verify()) == [(tampered.pk, 5, 0, reason)]
    ok, _, error = run_command()
    assert not ok
    assert error.endswith("1 brutna kedjor.")


def test_object_check_reports_a_removed_newest_entry(walked):
    tampered, untouched = walked
    as_owner(*drop_newest(tampered))
    reason = "status är granskning men historiken slutar i utkast (senaste poster saknas)"
    assert found(verify_object(tampered)) == [(tampered.pk, 3, 0, reason)]
    # the other document's timeline is not blamed for it
    assert verify_object(untouched).intact


# -- PostgreSQL only ------------------------------------------------------------------------


@pytest.mark.postgres
def test_database_computes_the_golden_hashes_itself(monkeypatch, golden_key):
    """The SQL form of the canonical content (to_json escapes, the jsonb roles, to_char of
    the timestamp) gives the known answers: the database passes the golden chain without
    handing any of it to Python."""
    insert_golden_chain()
    handed, report = in_database(monkeypatch)
    assert handed == set()
    assert (report.entries, report.objects, report.broken) == (4, 1, [])


@pytest.mark.postgres
def test_trigger_bypass_is_needed_and_confined_to_its_statements(walked, monkeypatch):
    tampered, _ = walked
    entry = history(tampered)[2]
    as_owner(update(entry.pk, comment="Godkänt"))  # asserts the refusal first
    assert WorkflowHistory.objects.get(pk=entry.pk).comment == "Godkänt"

    with pytest.raises(DatabaseError, match="oföränderlig"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(*update(entry.pk, comment="Återställt"))
    with pytest.raises(DatabaseError, match="DELETE nekas"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(*delete(entry.pk))
    handed, report = in_database(monkeypatch)
    assert handed == {tampered.pk}
    assert found(report) == [(tampered.pk, 3, entry.pk, CONTENT)]


@pytest.mark.postgres
def test_truncated_history_is_reported(walked):
    """TRUNCATE passes row-level triggers; whatever the database does with it, the
    whole-history check finds every document without its history."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as if the fixture's rows were committed
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"TRUNCATE {qn(TABLE)}")
        cursor.execute("SET LOCAL session_replication_role = origin")
    expected = [(doc.pk, 0, 0, "objektet saknar historik") for doc in walked]
    assert sorted(found(verify())) == sorted(expected)
    ok, _, error = run_command()
    assert not ok
    assert error == "0 poster i 0 objekt kontrollerade, 2 brutna kedjor."
