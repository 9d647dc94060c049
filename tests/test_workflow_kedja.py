"""A history a database administrator cannot rewrite unseen (issue 13, item 6).

Two documents walk their workflow and have field history; then the daily checkpoint is
written outside the database (signed with the history key). Each test then tampers with the
database in one of fifteen ways, with direct SQL as the database's owner could (on
PostgreSQL past the append-only trigger, with ``session_replication_role``), as someone who
knows the algorithms but holds neither the history key nor the checkpoint directory. Each
tampering must be reported by ``manage.py verify_history`` and by the revisor's check page,
which then never says that the history holds.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from arenden.arkiv.models import Klass
from tests import factories
from tests.exampleapp.models import Document
from tests.test_project import run_manage
from tests.test_workflow_history_vectors import as_owner, delete, qn, update
from workflow import checkpoint, fieldhistory, hashing
from workflow.engine import do_transition, history
from workflow.history import verify, verify_object
from workflow.models import LocalRole, WorkflowHistory
from workflow.roles import grant

pytestmark = pytest.mark.django_db

TABLE = WorkflowHistory._meta.db_table
FIELD_TABLE = Document.history.model._meta.db_table
LABEL = "exampleapp.document"
FIELD_LABEL = "exampleapp.historicaldocument"

MAC = "signaturen stämmer inte: posten är skriven eller omräknad utan historiknyckeln"
UNSIGNED = "posten är inte signerad med någon känd historiknyckel (skriven utanför systemet)"


@pytest.fixture
def katalog(settings, tmp_path):
    settings.WORKFLOW_CHECKPOINT_DIR = str(tmp_path / "kontrollpunkter")
    return tmp_path / "kontrollpunkter"


@pytest.fixture
def people(make_user):
    return {
        "anna": make_user("anna", "Författare"),
        "bertil": make_user("bertil", "Granskare"),
        "cecilia": make_user("cecilia", "Redaktör"),
    }


@pytest.fixture
def docs(people, make_document, katalog):
    """Two documents, each created, sent, sent back and sent again (four entries, ending in
    "granskning") and retitled once (field history); then the daily checkpoint."""
    made = []
    for title in ("Bygglov Storgatan 1", "Bygglov Lillgatan 2"):
        doc = make_document(title, creator=people["anna"])
        do_transition(doc, "skicka", people["anna"], comment="Klar för beredning")
        do_transition(doc, "avvisa", people["bertil"], comment="Saknar bilaga")
        do_transition(doc, "skicka", people["anna"], comment="Kompletterat")
        doc = Document.objects.get(pk=doc.pk)
        doc.title = f"{title} (rev.)"
        doc.save()
        made.append(doc)
    checkpoint.write("daglig")
    return made


def entries(doc) -> list[WorkflowHistory]:
    return list(history(doc))


def rehashed(entry: WorkflowHistory, **changes) -> tuple[str, list]:
    """The UPDATE of a forger who knows the algorithm but not the key: the changes and the
    plain SHA-256 recomputed over them; the MAC left as it was."""
    for name, value in changes.items():
        setattr(entry, name, value)
    entry.hash = entry.compute_hash()
    return update(entry.pk, **changes, hash=entry.hash)


def forge_entry(doc, **fields) -> tuple[str, list]:
    """An INSERT of a whole entry with a correct plain hash, no signature."""
    last = entries(doc)[-1]
    entry = WorkflowHistory(
        content_type=ContentType.objects.get_for_model(Document),
        object_id=doc.pk,
        seq=last.seq + 1,
        workflow="dokument",
        transition="godkann",
        from_state="granskning",
        to_state="granskning",
        actor_id=None,
        actor_name="bertil",
        roles=["Granskare"],
        timestamp=last.timestamp + datetime.timedelta(minutes=1),
        comment="Godkänt",
        prev_hash=last.hash,
    )
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.hash = entry.compute_hash()
    names = [f.name for f in WorkflowHistory._meta.concrete_fields if f.name != "id"]
    columns = ", ".join(qn(WorkflowHistory._meta.get_field(n).column) for n in names)
    values = [
        WorkflowHistory._meta.get_field(n).get_db_prep_save(
            getattr(entry, WorkflowHistory._meta.get_field(n).attname), connection
        )
        for n in names
    ]
    marks = ", ".join(["%s"] * len(names))
    return f"INSERT INTO {qn(TABLE)} ({columns}) VALUES ({marks})", values


def field_rows(doc) -> list:
    return list(Document.history.filter(id=doc.pk).order_by("history_id"))


def run(*statements) -> None:
    """As the owner: UPDATE/DELETE past the trigger (asserting it refuses first on
    PostgreSQL), INSERTs and statements on other tables as they are."""
    guarded = [s for s in statements if s[0].startswith(("UPDATE", "DELETE")) and TABLE in s[0]]
    if guarded:
        as_owner(*statements)
    else:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)


def command() -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("verify_history", stdout=out)
    except CommandError as error:
        return False, out.getvalue() + str(error)
    return True, out.getvalue()


def revisor_page(client) -> str:
    revisor = factories.Cast().revisor
    client.force_login(revisor)
    response = client.post(reverse("arenden:verifiering"))
    assert response.status_code == 200
    return response.content.decode()


def assert_reported(client, *lines: str) -> None:
    """``verify_history`` fails and prints each expected line; the revisor's page says the
    history is broken, shows the same lines, and never that it holds."""
    report = verify()
    assert not report.intact
    ok, out = command()
    assert not ok
    for line in lines:
        assert f"BRUTEN  {line}" in out, out
    page = revisor_page(client)
    assert "Historiken är bruten" in page
    assert "obruten" not in page
    for line in lines:
        assert line in page.replace("&#x27;", "'").replace("&quot;", '"')


# -- the untouched history ------------------------------------------------------------------


def test_untouched_history_holds_with_key_and_checkpoint(client, docs, katalog):
    [path] = katalog.glob("kontrollpunkt-*.json")
    content = json.loads(path.read_text("utf-8"))
    a, b = docs
    assert content["kedjor"][f"{LABEL}:{a.pk}"] == [4, entries(a)[-1].hash]
    assert content["falthistorik"][FIELD_LABEL]["objekt"][str(b.pk)][0] == len(field_rows(b))
    assert content["nyckel"] == "utv" and len(content["signatur"]) == 64

    report = verify()
    assert report.intact and report.checkpoint.name == path.name
    ok, out = command()
    assert ok and f"Jämförd med kontrollpunkten {path.name}." in out
    page = revisor_page(client)
    assert "Historiken är obruten." in page and path.name in page


def test_new_work_after_the_checkpoint_is_not_a_tampering(client, docs, people):
    a, _ = docs
    do_transition(a, "godkann", people["bertil"], comment="Godkänt")
    a = Document.objects.get(pk=a.pk)
    a.title = "Bygglov Storgatan 1 (slutlig)"
    a.save()
    assert verify().intact


# -- the fifteen tamperings -----------------------------------------------------------------


def test_1_edited_newest_entry(client, docs):
    a, _ = docs
    newest = entries(a)[-1]
    run(rehashed(newest, comment="Godkänt utan anmärkning"))
    assert_reported(client, f"{LABEL} {a.pk}: post 4 (id {newest.pk}): {MAC}")


def test_2_edited_older_entry(client, docs):
    a, _ = docs
    second = entries(a)[1]
    run(rehashed(second, comment="Klar, inget att invända"))
    assert_reported(client, f"{LABEL} {a.pk}: post 2 (id {second.pk}): {MAC}")


def test_3_changed_actor(client, docs, people):
    a, _ = docs
    third = entries(a)[2]
    run(rehashed(third, actor_id=people["cecilia"].pk, actor_name="cecilia"))
    assert_reported(client, f"{LABEL} {a.pk}: post 3 (id {third.pk}): {MAC}")


def test_4_deleted_newest_entry(client, docs):
    a, _ = docs
    run(delete(entries(a)[-1].pk))
    assert_reported(
        client,
        f"{LABEL} {a.pk}: post 3 (id 0): status är granskning men historiken slutar i utkast",
        f"{LABEL} {a.pk}: post 4 (id 0): post 4, kedjans senaste i kontrollpunkten",
    )


def test_4b_deleted_newest_entry_and_state_put_back(client, docs):
    """The state set back to match the shortened chain too: only the checkpoint shows it."""
    a, b = docs
    run(delete(entries(a)[-1].pk))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(Document._meta.db_table)} SET state = 'utkast' WHERE id = %s", [a.pk]
        )
    assert verify(WorkflowHistory.objects.all()).intact  # what is left is a valid chain
    assert_reported(client, f"{LABEL} {a.pk}: post 4 (id 0): post 4, kedjans senaste")
    # the object's own check (the revisor's timeline) compares with the checkpoint too
    [broken] = verify_object(a).broken
    assert (broken.seq, broken.reason) == (
        4,
        f"post 4, kedjans senaste i kontrollpunkten {verify().checkpoint.name}, saknas",
    )
    assert verify_object(b).intact


def test_5_deleted_middle_entry(client, docs):
    a, _ = docs
    second, third = entries(a)[1:3]
    run(delete(second.pk))
    assert_reported(
        client,
        f"{LABEL} {a.pk}: post 3 (id {third.pk}): löpnummer 3 där 2 väntades",
    )


def test_6_renumbered_entries(client, docs):
    a, _ = docs
    second, third = entries(a)[1:3]
    run(update(second.pk, seq=1000), update(third.pk, seq=2), update(second.pk, seq=3))
    assert_reported(
        client,
        f"{LABEL} {a.pk}: post 2 (id {third.pk}): länken till föregående post stämmer inte",
    )


def test_7_backdated_entry(client, docs):
    a, _ = docs
    third = entries(a)[2]
    run(rehashed(third, timestamp=third.timestamp - datetime.timedelta(days=30)))
    assert_reported(client, f"{LABEL} {a.pk}: post 3 (id {third.pk}): {MAC}")


def test_8_forged_entry_appended_at_the_end(client, docs):
    """Linked to the newest entry, its plain hash right, the state unchanged: only the
    missing signature shows it."""
    a, _ = docs
    run(forge_entry(a))
    forged = entries(a)[-1]
    assert forged.seq == 5 and forged.compute_hash() == forged.hash
    assert_reported(client, f"{LABEL} {a.pk}: post 5 (id {forged.pk}): {UNSIGNED}")


def test_8b_forged_entry_with_a_copied_signature(client, docs):
    """The key id and MAC copied from a genuine entry: the MAC is of another hash."""
    a, _ = docs
    genuine = entries(a)[-1]
    run(forge_entry(a, key_id=genuine.key_id, mac=genuine.mac))
    forged = entries(a)[-1]
    assert_reported(client, f"{LABEL} {a.pk}: post 5 (id {forged.pk}): {MAC}")


def test_9_forged_entry_inserted(client, docs):
    """Entries 3 and 4 moved up one place and a forged entry put at 3, linked to entry 2."""
    a, _ = docs
    first, second, third, fourth = entries(a)
    run(update(fourth.pk, seq=5), update(third.pk, seq=4))
    run(
        forge_entry(
            a, seq=3, prev_hash=second.hash, timestamp=second.timestamp + datetime.timedelta(1)
        )
    )
    forged = WorkflowHistory.objects.for_object(a).get(seq=3)
    assert_reported(client, f"{LABEL} {a.pk}: post 3 (id {forged.pk}): {UNSIGNED}")


def test_10_deleted_object_with_its_history(client, docs):
    a, b = docs
    rows = len(field_rows(a))
    run(
        *[delete(e.pk) for e in entries(a)],
        (f"DELETE FROM {qn(FIELD_TABLE)} WHERE id = %s", [a.pk]),
        (f"DELETE FROM {qn(Document._meta.db_table)} WHERE id = %s", [a.pk]),
    )
    assert verify(WorkflowHistory.objects.all()).intact  # the rest is a valid history
    assert_reported(
        client,
        f"{LABEL} {a.pk}: post 4 (id 0): post 4, kedjans senaste i kontrollpunkten",
        f"{FIELD_LABEL} {a.pk}: post 0 (id 0): fälthistoriken ({rows} rader) saknas",
    )
    assert f"{LABEL} {b.pk}:" not in command()[1]


def test_11_deleted_history_of_one_object(client, docs):
    a, _ = docs
    run(*[delete(e.pk) for e in entries(a)])
    assert_reported(
        client,
        f"{LABEL} {a.pk}: post 0 (id 0): objektet saknar historik",
        f"{LABEL} {a.pk}: post 4 (id 0): post 4, kedjans senaste i kontrollpunkten",
    )


def test_12_edited_field_history_row(client, docs):
    a, _ = docs
    first = field_rows(a)[0]
    run(
        (
            f"UPDATE {qn(FIELD_TABLE)} SET title = %s WHERE history_id = %s",
            ["Rivningslov Storgatan 1", first.history_id],
        )
    )
    assert_reported(
        client,
        f"{FIELD_LABEL} {a.pk}: post 0 (id 0): fälthistoriken har ändrats sedan kontrollpunkten",
    )


def test_13_deleted_field_history_row(client, docs):
    """Of the second document: the first one's field history, which holds, is passed over."""
    a, b = docs
    rows = field_rows(b)
    run((f"DELETE FROM {qn(FIELD_TABLE)} WHERE history_id = %s", [rows[-1].history_id]))
    assert_reported(
        client,
        f"{FIELD_LABEL} {b.pk}: post 0 (id 0): fälthistoriken hade {len(rows)} rader i "
        f"kontrollpunkten, nu {len(rows) - 1}",
    )


def test_14_added_field_history_row(client, docs):
    """A row added after the checkpoint, dated a week before it (a change made to look as
    if it had been made then)."""
    a, _ = docs
    source = field_rows(a)[-1]
    names = [
        f.column for f in Document.history.model._meta.concrete_fields if f.name != "history_id"
    ]
    chosen = ", ".join("%s" if name in {"title", "history_date"} else qn(name) for name in names)
    backdated = source.history_date - datetime.timedelta(days=7)
    run(
        (
            f"INSERT INTO {qn(FIELD_TABLE)} ({', '.join(qn(n) for n in names)}) "
            f"SELECT {chosen} FROM {qn(FIELD_TABLE)} WHERE history_id = %s",
            [
                *[
                    "Rivningslov Storgatan 1" if name == "title" else backdated
                    for name in names
                    if name in {"title", "history_date"}
                ],
                source.history_id,
            ],
        )
    )
    added = field_rows(a)[-1]
    assert added.history_id > source.history_id and added.title == "Rivningslov Storgatan 1"
    assert_reported(
        client,
        f"{FIELD_LABEL} {a.pk}: post 0 (id {added.history_id}): fälthistorikrad "
        f"{added.history_id} är skriven efter kontrollpunkten",
    )


def test_15_truncated_history_table(client, docs):
    a, b = docs
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(f"TRUNCATE {qn(TABLE)}")
            cursor.execute("SET LOCAL session_replication_role = origin")
    else:
        run((f"DELETE FROM {qn(TABLE)}", []))
    assert not WorkflowHistory.objects.exists()
    assert_reported(
        client,
        *[f"{LABEL} {d.pk}: post 0 (id 0): objektet saknar historik" for d in docs],
        *[f"{LABEL} {d.pk}: post 4 (id 0): post 4, kedjans senaste" for d in docs],
    )


# -- the checkpoints themselves -------------------------------------------------------------


def test_an_edited_checkpoint_file_is_reported(client, docs, katalog):
    """Whoever can write the directory but has no key: the signature shows the edit."""
    [path] = katalog.glob("kontrollpunkt-*.json")
    content = json.loads(path.read_text("utf-8"))
    content["kedjor"].pop(f"{LABEL}:{docs[0].pk}")
    path.write_text(json.dumps(content), "utf-8")
    assert_reported(
        client,
        f"kontrollpunkt 0: post 0 (id 0): kontrollpunkten {path.name} har en signatur som "
        "inte stämmer (filen är ändrad)",
    )


def test_no_checkpoint_is_written_over_a_broken_history(docs, katalog):
    a, _ = docs
    run(rehashed(entries(a)[1], comment="Ändrad"))
    with pytest.raises(CommandError, match="Historiken är bruten"):
        call_command("workflow_checkpoint", stdout=StringIO())
    assert len(list(katalog.glob("kontrollpunkt-*.json"))) == 1


def test_the_newest_checkpoint_is_the_one_compared(docs, katalog, people):
    a, _ = docs
    do_transition(a, "godkann", people["bertil"])
    out = StringIO()
    call_command("workflow_checkpoint", "--anledning", "prov", stdout=out)
    assert "Kontrollpunkt skriven" in out.getvalue()
    newest = sorted(katalog.glob("kontrollpunkt-*.json"))[-1]
    head = entries(a)[-1].seq
    assert head > 4
    assert json.loads(newest.read_text("utf-8"))["kedjor"][f"{LABEL}:{a.pk}"][0] == head
    run(delete(entries(a)[-1].pk))
    lines = [str(b) for b in verify().broken]
    wanted = f"{LABEL} {a.pk}: post {head} (id 0): post {head}, kedjans senaste"
    assert any(wanted in line for line in lines)


def test_the_checkpoint_follows_the_commit_of_the_justering(
    settings, tmp_path, katalog, django_capture_on_commit_callbacks
):
    """The domain asks for a checkpoint when the protokoll is justerat, once the justering
    has committed."""
    from arenden.sammantraden import protokoll
    from tests.test_sammantraden import Mote

    settings.MEDIA_ROOT = tmp_path / "media"
    mote = Mote()
    punkt = mote.punkt(mote.berett_arende("Riktlinjer för tolkstöd"))
    mote.kalla()
    mote.besluta(punkt)
    mote.uppratta()
    tidpunkt = datetime.datetime(2025, 11, 20, 10, 0, tzinfo=datetime.UTC)
    with django_capture_on_commit_callbacks() as first:
        protokoll.justera(mote.sammantrade, user=mote.ordforande_user, tidpunkt=tidpunkt)
    assert first == []  # one signature of two: the protokoll is not justerat yet
    with django_capture_on_commit_callbacks() as callbacks:
        protokoll.justera(mote.sammantrade, user=mote.justerare_user, tidpunkt=tidpunkt)
    assert not list(katalog.glob("kontrollpunkt-*.json"))  # nothing before the commit
    for callback in callbacks:
        callback()
    [path] = katalog.glob("kontrollpunkt-*.json")
    content = json.loads(path.read_text("utf-8"))
    assert content["anledning"].startswith("justering av protokollet")
    head = WorkflowHistory.objects.for_object(mote.sammantrade).order_by("seq").last()
    assert content["kedjor"][f"arenden.sammantrade:{mote.sammantrade.pk}"] == [
        head.seq,
        head.hash,
    ]
    assert head.to_state == "justerat"


# -- the key in production ------------------------------------------------------------------

PRODUCTION = {
    "DJANGO_PRODUCTION": "1",
    "DJANGO_SECRET_KEY": "k7#Qm2!vR9xZp4LwT8nB3cYh6JdF1sGe5uAo0iKr-N_M+WqE@j",
    "DJANGO_ALLOWED_HOSTS": "arenden.example.se",
}


@pytest.mark.parametrize(
    ("key", "refusal"),
    [
        (hashing.DEVELOPMENT_KEY, "WORKFLOW_HISTORY_KEY får inte vara utvecklingsnyckeln."),
        ("för-kort-nyckel", "WORKFLOW_HISTORY_KEY ska vara minst 32 slumpmässiga tecken."),
    ],
    ids=["development-key", "short-key"],
)
def test_production_refuses_the_development_key_and_a_short_one(key, refusal):
    result = run_manage("check", **PRODUCTION, WORKFLOW_HISTORY_KEY=key)
    assert result.returncode != 0
    assert refusal in result.stderr


def test_production_without_a_history_key_derives_one_from_the_secret_key():
    script = (
        "from django.conf import settings; "
        "print(settings.WORKFLOW_HISTORY_KEY_ID, len(settings.WORKFLOW_HISTORY_KEY), "
        "settings.WORKFLOW_HISTORY_KEY == settings.SECRET_KEY)"
    )
    result = run_manage("shell", "--no-imports", "-c", script, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["hemlig-nyckel", "64", "False"]
    rotated = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from workflow import hashing; print(sorted(hashing.keys()))",
        **PRODUCTION,
        WORKFLOW_HISTORY_KEY="n" * 16 + "y" * 16 + "ckel",
        WORKFLOW_HISTORY_KEY_ID="2027-1",
        WORKFLOW_HISTORY_OLD_KEYS="2026-1:gammal-nyckel-0123456789abcdef",
    )
    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout.strip() == "['2026-1', '2027-1']"


# -- the checkpoint's format and its edges --------------------------------------------------


def test_the_checkpoint_is_signed_over_its_sorted_compact_json(docs, katalog, settings):
    """The signature, recomputed by hand: HMAC-SHA256 under the history key of the file's
    content without the signature, as JSON with sorted keys, no spaces and UTF-8 text."""
    settings.WORKFLOW_HISTORY_KEY_ID, settings.WORKFLOW_HISTORY_KEY = "prov-2026", "k" * 40
    settings.WORKFLOW_HISTORY_OLD_KEYS = {"utv": hashing.DEVELOPMENT_KEY}  # a rotation
    path = checkpoint.write("justering av protokollet från HSN 2025-11-12 §§ 1–3, å")
    assert re.fullmatch(r"kontrollpunkt-\d{8}T\d{6}\.\d{6}Z\.json", path.name)
    content = json.loads(path.read_text("utf-8"))
    signature = content.pop("signatur")
    assert (content["format"], content["nyckel"]) == (1, "prov-2026")
    assert content["anledning"].endswith("§§ 1–3, å")
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert signature == hmac.new(b"k" * 40, text.encode("utf-8"), hashlib.sha256).hexdigest()
    assert path.read_bytes() == json.dumps(
        {**content, "signatur": signature},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode("utf-8")
    skapad = datetime.datetime.fromisoformat(content["skapad"].replace("Z", "+00:00"))
    assert verify().checkpoint.created == skapad


def test_a_forger_with_the_key_who_rewrites_the_newest_entry_is_caught_by_the_checkpoint(
    client, docs
):
    """The key leaked: the newest entry rewritten, hashed and signed, the state the same.
    Every link, hash, signature and the state hold; the head the checkpoint sealed does not."""
    a, b = docs
    newest = entries(a)[-1]
    newest.comment = "Kompletterat med ritning"
    newest.sign()
    run(update(newest.pk, comment=newest.comment, hash=newest.hash, mac=newest.mac))
    assert verify(WorkflowHistory.objects.all()).intact
    name = verify().checkpoint.name
    assert_reported(
        client,
        f"{LABEL} {a.pk}: post 4 (id 0): post 4 är inte den som kontrollpunkten {name} "
        "förseglade (kedjan är omskriven)",
    )
    assert [link.reason for link in verify_object(a).broken] == [
        f"post 4, kedjans senaste i kontrollpunkten {name}, är inte den som kontrollpunkten "
        "förseglade"
    ]
    assert verify_object(b).intact


@pytest.mark.parametrize(
    ("minutes", "reported"), [(10, False), (90, True)], ids=["in-flight", "backdated"]
)
def test_a_late_field_history_row_is_reported_only_when_dated_well_before(docs, minutes, reported):
    """A row written after the checkpoint but dated a little before it may be a transaction
    that was under way; dated more than an hour before, it was put there afterwards."""
    a, _ = docs
    row = field_rows(a)[-1]
    created = verify().checkpoint.created
    Document.history.model.objects.create(
        **{
            f.attname: getattr(row, f.attname)
            for f in Document.history.model._meta.concrete_fields
            if f.attname not in {"history_id", "history_date"}
        },
        history_date=created - datetime.timedelta(minutes=minutes),
    )
    assert verify().intact is not reported


def test_an_unreadable_or_foreign_checkpoint_is_reported(client, docs, katalog, settings):
    [path] = katalog.glob("kontrollpunkt-*.json")
    later = katalog / path.name.replace(".json", "1.json")  # sorts after, so it is the newest
    later.write_text("{inte json", "utf-8")
    assert [str(b) for b in verify().broken] == [
        f"kontrollpunkt 0: post 0 (id 0): kontrollpunkten {later.name} går inte att läsa"
    ]
    later.unlink()
    # the key rotated without keeping the old one: neither the entries nor the file verify
    settings.WORKFLOW_HISTORY_KEY_ID, settings.WORKFLOW_HISTORY_KEY = "2027-1", "n" * 40
    reasons = [b.reason for b in verify().broken]
    assert f"kontrollpunkten {path.name} är signerad med en okänd nyckel (utv)" in reasons
    assert reasons.count(UNSIGNED) == 2  # each document's first entry
    settings.WORKFLOW_HISTORY_OLD_KEYS = {"utv": hashing.DEVELOPMENT_KEY}
    assert verify().intact  # after a rotation the old key still verifies both


def test_without_a_directory_no_checkpoint_is_written_or_compared(settings, docs, caplog):
    settings.WORKFLOW_CHECKPOINT_DIR = None
    with pytest.raises(checkpoint.CheckpointError, match="Ingen katalog för kontrollpunkter"):
        checkpoint.write()
    report = verify()
    assert report.intact and report.checkpoint is None
    ok, out = command()
    assert ok and "Ingen kontrollpunkt att jämföra med (workflow_checkpoint)." in out


def test_a_checkpoint_after_commit_over_a_broken_history_is_logged_not_written(
    docs, katalog, caplog, django_capture_on_commit_callbacks
):
    a, _ = docs
    run(rehashed(entries(a)[1], comment="Ändrad"))
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint.after_commit("justering")
    assert len(list(katalog.glob("kontrollpunkt-*.json"))) == 1
    [record] = [r for r in caplog.records if r.name == "workflow.checkpoint"]
    assert record.getMessage() == "Kontrollpunkten efter justering kunde inte skrivas"
    assert "Historiken är bruten (1 fel)" in str(record.exc_info[1])


def test_a_checkpoint_reads_back_as_it_was_written(docs, katalog):
    """What the revisor's check names: the file, when and why it was written, the key, and
    each chain's head."""
    a, b = docs
    [path] = katalog.glob("kontrollpunkt-*.json")
    last = checkpoint.latest()
    assert (last.name, last.reason, last.key_id, last.problem) == (path.name, "daglig", "utv", "")
    assert last.created.tzinfo is not None
    assert last.created.strftime("%Y%m%dT%H%M%S.%fZ") in path.name
    assert {k: v for k, v in last.chains.items() if k.startswith(LABEL)} == {
        f"{LABEL}:{doc.pk}": [entries(doc)[-1].seq, entries(doc)[-1].hash] for doc in (a, b)
    }
    assert set(last.field_history[FIELD_LABEL]["objekt"]) == {str(a.pk), str(b.pk)}


def test_a_checkpoint_signed_without_a_reason_has_none(docs, katalog):
    [path] = katalog.glob("kontrollpunkt-*.json")
    content = json.loads(path.read_text("utf-8"))
    del content["anledning"], content["signatur"]
    content["signatur"] = hashing.sign(hashing.current_key()[1], checkpoint._body(content))
    path.write_text(json.dumps(content), "utf-8")
    last = checkpoint.latest()
    assert (last.reason, last.problem) == ("", "")


def test_an_unreadable_checkpoint_is_empty_and_says_why(docs, katalog):
    [path] = katalog.glob("kontrollpunkt-*.json")
    path.write_text("{inte json", "utf-8")
    last = checkpoint.latest()
    assert (last.name, last.reason, last.key_id, last.chains, last.field_history) == (
        path.name,
        "",
        "",
        {},
        {},
    )
    assert last.problem == "går inte att läsa" and last.created.tzinfo is not None


def test_one_objects_check_reports_a_checkpoint_that_cannot_be_trusted(docs, katalog):
    """The timeline's check of one ärende compares it with the newest checkpoint too, and
    says so when the file has been edited."""
    a, _ = docs
    [path] = katalog.glob("kontrollpunkt-*.json")
    content = json.loads(path.read_text("utf-8"))
    content["anledning"] = "ändrad"
    path.write_text(json.dumps(content), "utf-8")
    assert [str(b) for b in verify_object(a).broken] == [
        f"kontrollpunkt 0: post 0 (id 0): kontrollpunkten {path.name} har en signatur som "
        "inte stämmer (filen är ändrad)"
    ]


def test_a_missing_head_is_reported_for_its_object_and_not_found_in_another_model(
    docs, katalog, people
):
    """The head recorded for document a is deleted; an entry of another model of the same
    app, with the same id and at the same place in its chain, does not stand in for it."""
    from tests.exampleapp.models import Folder

    a, _ = docs
    name = checkpoint.latest().name
    head = entries(a)[-1]
    run(delete(head.pk))
    WorkflowHistory.objects.create(
        content_type=ContentType.objects.get_for_model(Folder),
        object_id=a.pk,
        seq=head.seq,
        workflow="dokument",
        to_state="granskning",
        timestamp=head.timestamp,
        hash=head.hash,
    )
    [funnen] = [b for b in verify_object(a).broken if "kontrollpunkten" in b.reason]
    assert (funnen.model_label, funnen.object_id, funnen.seq) == (LABEL, a.pk, head.seq)
    assert funnen.reason == (f"post {head.seq}, kedjans senaste i kontrollpunkten {name}, saknas")
    whole = [b for b in verify().broken if b.model_label == LABEL and "kontrollpunkten" in b.reason]
    assert [(b.object_id, b.seq, b.reason) for b in whole] == [
        (
            a.pk,
            head.seq,
            f"post {head.seq}, kedjans senaste i kontrollpunkten {name}, saknas (poster eller "
            "hela kedjan borttagna eller omnumrerade)",
        )
    ]


def test_the_field_history_findings_name_each_object_in_order_with_the_whole_reason(
    people, make_document, katalog
):
    """Documents 9 and 10 (so that an order by text would put 10 first): after the checkpoint,
    9's field history is deleted, 10 gets a row more that is dated before the checkpoint, and a
    row of a document written before the checkpoint but missing from it appears. The revisor
    reads each finding whole, object by object in the order of their ids."""
    anna = people["anna"]
    nio = make_document("Bygglov nio", creator=anna, pk=9)
    tio = make_document("Bygglov tio", creator=anna, pk=10)
    for doc in (nio, tio):
        doc.title = f"{doc.title} (rev.)"
        doc.save()
    checkpoint.write("daglig")
    name = checkpoint.latest().name
    rows_nio = field_rows(nio)
    run(
        *[
            (f"DELETE FROM {qn(FIELD_TABLE)} WHERE history_id = %s", [r.history_id])
            for r in rows_nio
        ]
    )
    path = katalog / name
    content = json.loads(path.read_text("utf-8"))
    del content["falthistorik"][FIELD_LABEL]["objekt"]["10"], content["signatur"]
    content["signatur"] = hashing.sign(hashing.current_key()[1], checkpoint._body(content))
    path.write_text(json.dumps(content), "utf-8")
    found = [(b.object_id, b.reason) for b in verify().broken if b.model_label == FIELD_LABEL]
    assert found == [
        (9, f"fälthistoriken ({len(rows_nio)} rader) saknas sedan kontrollpunkten ({name})"),
        (
            10,
            f"{len(field_rows(tio))} fälthistorikrader har tillkommit före kontrollpunkten "
            f"({name})",
        ),
    ]


def _backdated_copy(doc):
    """A copy of ``doc``'s newest field-history row, inserted now but dated a week earlier."""
    source = field_rows(doc)[-1]
    names = [
        f.column for f in Document.history.model._meta.concrete_fields if f.name != "history_id"
    ]
    chosen = ", ".join("%s" if name == "history_date" else qn(name) for name in names)
    run(
        (
            f"INSERT INTO {qn(FIELD_TABLE)} ({', '.join(qn(n) for n in names)}) "
            f"SELECT {chosen} FROM {qn(FIELD_TABLE)} WHERE history_id = %s",
            [source.history_date - datetime.timedelta(days=7), source.history_id],
        )
    )
    return field_rows(doc)[-1]


def test_rows_added_after_the_checkpoint_are_named_in_the_order_they_were_written(docs):
    a, b = docs
    name = checkpoint.latest().name
    forst, sedan = _backdated_copy(b), _backdated_copy(a)
    assert b.pk > a.pk and forst.history_id < sedan.history_id
    late = [
        (x.object_id, x.entry_id, x.reason)
        for x in verify().broken
        if x.model_label == FIELD_LABEL and "är skriven efter kontrollpunkten" in x.reason
    ]
    assert late == [
        (
            doc.pk,
            row.history_id,
            f"fälthistorikrad {row.history_id} är skriven efter kontrollpunkten {name} men "
            "daterad före den (tillagd i efterhand)",
        )
        for doc, row in ((b, forst), (a, sedan))
    ]


def test_a_checkpoint_over_an_empty_field_history_does_not_cover_the_rows_written_after(
    settings, tmp_path, people, make_document
):
    """The first checkpoint of a new installation, in a directory not yet made (with its
    parents), without a reason: the first field-history rows written after it are new work,
    not rows missing from it."""
    settings.WORKFLOW_CHECKPOINT_DIR = str(tmp_path / "arkiv" / "kontrollpunkter")
    assert not Document.history.exists()
    checkpoint.write()
    last = checkpoint.latest()
    assert last.reason == "" and last.field_history[FIELD_LABEL] == {
        "upp_till": 0,
        "objekt": {},
        "kolumner": fieldhistory.digest_columns(Document.history.model),
    }
    make_document("Bygglov efter kontrollpunkten", creator=people["anna"])
    report = verify()
    assert report.intact, [str(b) for b in report.broken]


def test_without_a_directory_the_refusal_says_so(settings):
    settings.WORKFLOW_CHECKPOINT_DIR = None
    with pytest.raises(checkpoint.CheckpointError) as fel:
        checkpoint.write()
    assert str(fel.value) == "Ingen katalog för kontrollpunkter är inställd."


# -- a column a migration adds after a checkpoint ---------------------------------------------


def _written_before_reviewed_was_tracked(monkeypatch, *, named: bool) -> None:
    """Write the checkpoint as it was written before a migration added ``reviewed`` to the
    field history (each row then got its default): its digests cover the other columns, and
    a checkpoint from before the columns were named (``named=False``) does not say so."""
    real_columns, real_snapshot = checkpoint.digest_columns, checkpoint.snapshot

    def columns(model):
        return [c for c in real_columns(model) if c != "reviewed"]

    def snapshot():
        chains, fields = real_snapshot()
        if not named:
            fields = {
                label: {k: v for k, v in table.items() if k != "kolumner"}
                for label, table in fields.items()
            }
        return chains, fields

    with monkeypatch.context() as patch:
        patch.setattr(checkpoint, "digest_columns", columns)
        patch.setattr(checkpoint, "snapshot", snapshot)
        checkpoint.write("före migreringen")


@pytest.mark.parametrize("named", [True, False], ids=["columns-named", "older-checkpoint"])
def test_a_column_added_after_the_checkpoint_leaves_the_history_holding(
    client, docs, monkeypatch, named
):
    """A migration that adds a tracked field (with a default) to a field history after a
    checkpoint does not make every object of that model read as tampered with, and so the
    next checkpoint can be written; a row changed in the database is still reported."""
    _written_before_reviewed_was_tracked(monkeypatch, named=named)
    report = verify()
    assert report.intact, [str(b) for b in report.broken]
    assert command()[0]
    a, _ = docs
    first = field_rows(a)[0]
    run(
        (
            f"UPDATE {qn(FIELD_TABLE)} SET title = %s WHERE history_id = %s",
            ["Rivningslov Storgatan 1", first.history_id],
        )
    )
    assert_reported(
        client,
        f"{FIELD_LABEL} {a.pk}: post 0 (id 0): fälthistoriken har ändrats sedan kontrollpunkten",
    )


def test_a_column_the_checkpoint_covered_that_is_gone_is_reported(docs, monkeypatch):
    real_snapshot = checkpoint.snapshot

    def snapshot():
        chains, fields = real_snapshot()
        fields[FIELD_LABEL]["kolumner"] = [*fields[FIELD_LABEL]["kolumner"], "sidor"]
        return chains, fields

    monkeypatch.setattr(checkpoint, "snapshot", snapshot)
    checkpoint.write("med en kolumn som sedan togs bort")
    assert f"{FIELD_LABEL} 0: post 0 (id 0): kolumnen sidor som kontrollpunkten" in "\n".join(
        str(b) for b in verify().broken
    )


# -- an older checkpoint, which did not name its columns (the mutation run, issue 19) -------


def _written_before_tracked(monkeypatch, *added: str) -> None:
    """Write the checkpoint as it was written before a migration added ``added`` to the
    field history of documents, and before checkpoints named their columns."""
    real_columns, real_snapshot = checkpoint.digest_columns, checkpoint.snapshot

    def columns(model):
        return [c for c in real_columns(model) if c not in added]

    def snapshot():
        chains, fields = real_snapshot()
        fields = {
            label: {k: v for k, v in table.items() if k != "kolumner"}
            for label, table in fields.items()
        }
        return chains, fields

    with monkeypatch.context() as patch:
        patch.setattr(checkpoint, "digest_columns", columns)
        patch.setattr(checkpoint, "snapshot", snapshot)
        checkpoint.write("före migreringen")


def _broken(report) -> list[str]:
    return [str(b) for b in report.broken]


def test_two_columns_added_after_an_older_checkpoint_leave_the_history_holding(docs, monkeypatch):
    _written_before_tracked(monkeypatch, "kind", "reviewed")
    report = verify()
    assert report.intact, _broken(report)
    assert command()[0]


def test_work_on_every_object_after_an_older_checkpoint_leaves_it_holding(
    docs, people, monkeypatch
):
    """Each document gets new field-history rows after the checkpoint: the rows it covered
    are still the ones compared, and the columns added are still learnt."""
    _written_before_tracked(monkeypatch, "reviewed")
    for doc in docs:
        do_transition(doc, "avvisa", people["bertil"], comment="Ny komplettering")
    report = verify()
    assert report.intact, _broken(report)
    assert command()[0]


def test_under_an_older_checkpoint_only_the_object_tampered_with_is_reported(docs, monkeypatch):
    """The first object the check learns the added columns from has lost a row: it is
    reported, and the columns are learnt from the next, so the other is not."""
    _written_before_tracked(monkeypatch, "reviewed")
    recorded = checkpoint.latest().field_history[FIELD_LABEL]["objekt"]
    first, other = list(recorded)
    rows = list(Document.history.filter(id=int(first)).order_by("history_id"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {qn(FIELD_TABLE)} WHERE history_id = %s", [rows[-1].history_id]
        )
    findings = _broken(verify())
    name = checkpoint.latest().name
    assert findings == [
        f"{FIELD_LABEL} {first}: post 0 (id 0): fälthistoriken hade {len(rows)} rader i "
        f"kontrollpunkten, nu {len(rows) - 1} ({name})"
    ]
    assert not any(f"{FIELD_LABEL} {other}:" in line for line in findings)


def test_the_columns_at_their_default_in_every_row_are_found_one_query_each(
    docs, django_assert_num_queries
):
    """What an older checkpoint may have left out: the tracked columns with a fixed default
    that every row holds, not the object's id, a column set in some row or one of the
    history's own; one query for each tracked column but the object's id."""
    model = Document.history.model
    up_to = model.objects.order_by("-history_id").values_list("history_id", flat=True)[0]
    with django_assert_num_queries(6):
        found = fieldhistory._default_everywhere(model, up_to)
    assert found == ["block_local_roles", "kind", "reviewed"]


def test_columns_after_one_with_a_computed_default_are_still_found(folder, make_user):
    """``granted_at`` (default: now) is never the same value twice; the columns after it are
    still tried."""
    grant(folder, "Granskare", user=make_user("greta"))
    model = LocalRole.history.model
    up_to = model.objects.order_by("-history_id").values_list("history_id", flat=True)[0]
    assert fieldhistory._default_everywhere(model, up_to) == [
        "valid_from",
        "valid_until",
        "group_id",
        "granted_by_id",
    ]


def test_columns_after_a_json_field_are_still_found(db):
    """``arendetyper`` (JSON) is not tried; ``overordnad`` after it is: the only row is of a
    top-level klass."""
    # the klasser the migrations load have rows of their own (with an överordnad): as the
    # owner, past PostgreSQL's append-only trigger, the table is emptied first
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"DELETE FROM {qn(Klass.history.model._meta.db_table)}")
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
    Klass.objects.create(kod="99.9", namn="Provklass", arendetyper=["motion"])
    model = Klass.history.model
    up_to = model.objects.order_by("-history_id").values_list("history_id", flat=True)[0]
    assert fieldhistory._default_everywhere(model, up_to) == ["beskrivning", "overordnad_id"]
