"""The engine's checks of what the history cannot vouch for by itself, on the example app
(issue 19: these are the engine's own tests, so that mutation testing of ``workflow/`` runs
them):

- the rows people act on against their newest history row (``fieldhistory.compare_live``);
- one object's history chains checked without reading the whole table
  (``fieldhistory.verify_rows_of``);
- an account is never deleted (the field history names it);
- group memberships mirrored into a model with signed history (``workflow.roles``).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from tests.exampleapp.models import Document, Folder
from workflow import fieldhistory
from workflow.context import acting_as
from workflow.engine import do_transition
from workflow.models import GroupMembership

pytestmark = pytest.mark.django_db

HISTORICAL = Document.history.model
LABEL = "exampleapp.historicaldocument"
DIFFERS = "raden som gäller nu har {} som historiken inte har (ändrad utan att historiken skrevs)"
DELETED = "historiken säger att raden är borttagen, men den finns"
GONE = "raden är borta utan att historiken säger att den togs bort"
UNRECORDED = "raden finns utan historik (tillagd utan att historiken skrevs)"


def newest(doc_id):
    return HISTORICAL.objects.filter(id=doc_id).order_by("-history_id").first().history_id


@pytest.fixture
def docs(make_user, make_document):
    anna = make_user("anna", "Författare")
    bertil = make_user("bertil", "Granskare")
    made = []
    for title in ("Bygglov Storgatan 1", "Bygglov Lillgatan 2"):
        doc = make_document(title, creator=anna)
        do_transition(doc, "skicka", anna)
        do_transition(doc, "avvisa", bertil, comment="Saknar bilaga")
        made.append(Document.objects.get(pk=doc.pk))
    return made


# -- the rows as they are now against their history ---------------------------------------------


def test_rows_as_their_history_last_wrote_them_are_not_reported(docs):
    docs[0].title = "Bygglov Storgatan 1, ny lydelse"
    docs[0].save()
    assert fieldhistory.compare_live(HISTORICAL) == []


def test_a_row_changed_beside_its_history_names_the_fields_that_differ(docs):
    a, b = docs
    Document.objects.filter(pk=a.pk).update(title="Förfalskad titel", kind="hemlig")
    assert fieldhistory.compare_live(HISTORICAL) == [
        (LABEL, a.pk, 0, newest(a.pk), DIFFERS.format("title, kind"))
    ]
    # the state, a foreign key and a boolean are compared too
    Document.objects.filter(pk=b.pk).update(state="publicerad")
    Document.objects.filter(pk=a.pk).update(title=a.title, kind=a.kind, reviewed=True)
    other = Folder.objects.create(name="Annan mapp")
    Document.objects.filter(pk=b.pk).update(folder=other)
    assert fieldhistory.compare_live(HISTORICAL) == [
        (LABEL, a.pk, 0, newest(a.pk), DIFFERS.format("reviewed")),
        (LABEL, b.pk, 0, newest(b.pk), DIFFERS.format("status, folder")),
    ]


def test_a_row_deleted_with_its_history_is_not_reported_but_one_back_again_is(docs):
    a, b = docs
    pk = a.pk
    row = Document.objects.filter(pk=pk).values().get()
    a.delete()  # simple-history writes the row that says so
    deleted = newest(pk)
    assert HISTORICAL.objects.get(history_id=deleted).history_type == "-"
    assert fieldhistory.compare_live(HISTORICAL) == []
    Document.objects.bulk_create([Document(**row)])  # put back beside the system
    assert fieldhistory.compare_live(HISTORICAL) == [(LABEL, pk, 0, deleted, DELETED)]


def test_a_row_gone_without_its_history_saying_so_is_reported(docs):
    a, b = docs
    Document.objects.filter(pk=b.pk)._raw_delete(connection.alias)  # no signals, no history
    Document.objects.filter(pk=a.pk).update(title="Förfalskad titel")
    assert fieldhistory.compare_live(HISTORICAL) == [
        (LABEL, a.pk, 0, newest(a.pk), DIFFERS.format("title")),
        (LABEL, b.pk, 0, newest(b.pk), GONE),
    ]


def test_the_findings_are_in_the_order_of_the_objects(docs, make_document):
    a, b = docs
    c = make_document("Tredje")
    a.title = "Ändrad sist"  # its newest history row is now the newest of all
    a.save()
    Document.objects.filter(pk=c.pk)._raw_delete(connection.alias)
    Document.objects.filter(pk=b.pk).update(title="x")
    Document.objects.filter(pk=a.pk)._raw_delete(connection.alias)
    found = fieldhistory.compare_live(HISTORICAL)
    assert [f[1] for f in found] == [a.pk, b.pk, c.pk]
    assert [f[4] for f in found] == [GONE, DIFFERS.format("title"), GONE]


def test_a_row_with_no_history_at_all_is_found_as_written_beside_the_system(
    docs, folder, make_document
):
    """A row inserted without simple-history (a bulk insert, SQL beside the system) has no
    history to vouch for it: it is a finding, not passed over."""
    (lone,) = Document.objects.bulk_create([Document(title="Vid sidan om", folder=folder)])
    assert not HISTORICAL.objects.filter(id=lone.pk).exists()
    later = make_document("Senare")
    Document.objects.filter(pk=later.pk).update(title="Förfalskad")
    assert fieldhistory.compare_live(HISTORICAL) == [
        (LABEL, lone.pk, 0, 0, UNRECORDED),
        (LABEL, later.pk, 0, newest(later.pk), DIFFERS.format("title")),
    ]


def test_rows_from_before_the_history_are_recorded_once_signed_as_they_stand(
    docs, folder, make_user
):
    """What a migration does for a model that gets its history, or for rows an earlier
    migration wrote without one: one signed first row each, and only for those."""
    older = Document.objects.bulk_create(
        [Document(title=f"Från en migrering {n}", folder=folder, kind="särskild") for n in (1, 2)]
    )
    recorded = HISTORICAL.objects.count()
    assert fieldhistory.record_unrecorded(HISTORICAL, connection.alias, "fanns före") == 2
    assert HISTORICAL.objects.count() == recorded + 2
    for doc in older:
        (row,) = HISTORICAL.objects.filter(id=doc.pk)
        assert (row.title, row.kind, row.folder_id) == (doc.title, "särskild", folder.pk)
        assert (row.history_type, row.history_change_reason, row.history_user_id) == (
            "+",
            "fanns före",
            None,
        )
        assert row.history_prev_mac == "" and row.history_mac
    assert fieldhistory.compare_live(HISTORICAL) == []
    assert fieldhistory.verify_rows_of(HISTORICAL) == (recorded + 2, [])
    # once is enough: a second call records nothing, and the objects' chains go on from there
    assert fieldhistory.record_unrecorded(HISTORICAL, connection.alias, "fanns före") == 0
    with acting_as(make_user("cecilia")):
        older[0].title = "Ändrad sedan"
        older[0].save()
    assert fieldhistory.verify_rows_of(HISTORICAL, id=older[0].pk) == (2, [])
    # a row so recorded and then changed beside the system is found as any other
    Document.objects.filter(pk=older[1].pk).update(title="Förfalskad")
    assert fieldhistory.compare_live(HISTORICAL) == [
        (LABEL, older[1].pk, 0, newest(older[1].pk), DIFFERS.format("title"))
    ]


def test_a_forged_first_row_does_not_verify(docs, folder):
    (lone,) = Document.objects.bulk_create([Document(title="Vid sidan om", folder=folder)])
    fieldhistory.record_unrecorded(HISTORICAL, connection.alias, "fanns före")
    HISTORICAL.objects.filter(id=lone.pk).update(title="Annan titel")
    Document.objects.filter(pk=lone.pk).update(title="Annan titel")
    assert fieldhistory.compare_live(HISTORICAL) == []
    read, found = fieldhistory.verify_rows_of(HISTORICAL, id=lone.pk)
    assert read == 1 and "signatur stämmer inte" in found[0][4]


def test_the_comparison_reads_the_rows_and_the_history_once_however_many(
    docs, make_document, django_assert_num_queries
):
    for n in range(5):
        make_document(f"Fler {n}")
    with django_assert_num_queries(2):
        assert fieldhistory.compare_live(HISTORICAL) == []


def test_the_mirrored_memberships_are_compared_too(make_user):
    """The engine's own model with signed history: what the whole check compares."""
    anna = make_user("anna", "Registrator")
    membership = GroupMembership.objects.get(user=anna)
    model = GroupMembership.history.model
    assert fieldhistory.compare_live(model) == []
    revisor = Group.objects.create(name="Ekonom")
    GroupMembership.objects.filter(pk=membership.pk).update(group=revisor)
    (found,) = fieldhistory.compare_live(model)
    assert found[:2] == ("workflow.historicalgroupmembership", membership.pk)
    assert found[4] == DIFFERS.format("grupp")


# -- one object's chains, without the whole table ------------------------------------------------


def test_one_objects_history_is_checked_alone(docs):
    a, b = docs
    rows_a = HISTORICAL.objects.filter(id=a.pk).count()
    assert rows_a == 3
    assert fieldhistory.verify_rows_of(HISTORICAL, id=a.pk) == (rows_a, [])
    tampered = HISTORICAL.objects.filter(id=b.pk).order_by("history_id").first()
    HISTORICAL.objects.filter(history_id=tampered.history_id).update(title="Förfalskad")
    assert fieldhistory.verify_rows_of(HISTORICAL, id=a.pk) == (rows_a, [])
    read, found = fieldhistory.verify_rows_of(HISTORICAL, id=b.pk)
    assert read == 3
    assert [(f[0], f[1], f[3]) for f in found] == [(LABEL, b.pk, tampered.history_id)]
    assert "signatur stämmer inte" in found[0][4]
    read, found = fieldhistory.verify_rows_of(HISTORICAL)
    assert read == 6 and len(found) == 1


# -- accounts are deactivated, never deleted -----------------------------------------------------


def test_an_account_is_not_deleted_because_the_history_names_it(make_user, make_document):
    """Refused before anything is touched, also for an account that took no workflow step
    (whose steps' history would protect it anyway) but changed a record."""
    anna = make_user("anna")
    doc = make_document("Bygglov")
    with acting_as(anna):
        doc.title = "Bygglov, andra utkastet"
        doc.save()
    with pytest.raises(PermissionDenied) as refused, transaction.atomic():
        anna.delete()
    assert str(refused.value) == (
        "Ett användarkonto tas inte bort, eftersom historiken namnger den som gjorde varje "
        "ändring. Inaktivera kontot i stället (Aktiv)."
    )
    assert User.objects.filter(username="anna").exists()
    assert HISTORICAL.objects.filter(history_user=anna).count() == 1
    with pytest.raises(PermissionDenied), transaction.atomic():
        User.objects.filter(pk=anna.pk).delete()
    assert fieldhistory.verify_rows_of(HISTORICAL)[1] == []


def test_other_records_are_deleted_as_before(folder):
    group = Group.objects.create(name="Tillfällig")
    group.delete()
    empty = Folder.objects.create(name="Tom mapp")
    empty.delete()
    assert not Group.objects.filter(name="Tillfällig").exists()
    assert not Folder.objects.filter(name="Tom mapp").exists()


# -- group memberships, mirrored with their history ----------------------------------------------


def members():
    return set(GroupMembership.objects.values_list("user__username", "group__name"))


def test_a_membership_given_and_taken_away_from_the_users_side_is_mirrored(make_user):
    anna = make_user("anna")
    granskare, forfattare = (
        Group.objects.create(name="Granskare"),
        Group.objects.create(name="Författare"),
    )
    anna.groups.add(granskare, forfattare)
    anna.groups.add(granskare)  # given again: still one membership
    assert members() == {("anna", "Granskare"), ("anna", "Författare")}
    anna.groups.remove(granskare)
    assert members() == {("anna", "Författare")}
    history = GroupMembership.history.model.objects.filter(user=anna)
    assert sorted(history.values_list("group__name", "history_type")) == [
        ("Författare", "+"),
        ("Granskare", "+"),
        ("Granskare", "-"),
    ]


def test_a_membership_given_and_taken_away_from_the_groups_side_is_mirrored(make_user):
    anna, bertil = make_user("anna"), make_user("bertil")
    granskare = Group.objects.create(name="Granskare")
    granskare.user_set.add(anna, bertil)
    assert members() == {("anna", "Granskare"), ("bertil", "Granskare")}
    granskare.user_set.remove(bertil)
    assert members() == {("anna", "Granskare")}


def test_clearing_one_users_or_one_groups_memberships_leaves_the_others(make_user):
    anna = make_user("anna", "Granskare", "Författare")
    make_user("bertil", "Granskare", "Författare")
    anna.groups.clear()
    assert members() == {("bertil", "Granskare"), ("bertil", "Författare")}
    Group.objects.get(name="Granskare").user_set.clear()
    assert members() == {("bertil", "Författare")}
    gone = GroupMembership.history.model.objects.filter(history_type="-")
    assert gone.count() == 3


def test_setting_a_users_groups_mirrors_what_was_added_and_removed(make_user):
    anna = make_user("anna", "Granskare")
    anna.groups.set([Group.objects.create(name="Ekonom")])
    assert members() == {("anna", "Ekonom")}
    assert fieldhistory.verify_rows_of(GroupMembership.history.model) == (3, [])


# -- why, besides who ----------------------------------------------------------------------------


def test_a_reason_given_with_the_actor_is_in_each_row_the_block_writes(folder, make_user):
    """A change a user's action sets off without choosing it (a role from the identity
    provider at login) says why in its signed row; a row whose code gives its own reason
    keeps it; outside the block nothing carries the reason on."""
    anna, bertil = make_user("anna"), make_user("bertil")
    with acting_as(anna, reason="enligt inloggningstjänsten"):
        doc = Document.objects.create(title="Ny", folder=folder)
        with acting_as(bertil):  # an inner actor without a reason of its own
            doc.title = "Ändrad"
            doc.save()
        doc.title = "Med eget skäl"
        doc._change_reason = "rättelse"
        doc.save()
    doc = Document.objects.get(pk=doc.pk)  # simple-history keeps an instance's own reason
    doc.title = "Efteråt"
    doc.save()
    rows = HISTORICAL.objects.filter(id=doc.pk).order_by("history_id")
    assert [(r.history_user_id, r.history_change_reason) for r in rows] == [
        (anna.pk, "enligt inloggningstjänsten"),
        (bertil.pk, "enligt inloggningstjänsten"),
        (anna.pk, "rättelse"),
        (None, None),
    ]
    assert fieldhistory.verify_rows_of(HISTORICAL, id=doc.pk) == (4, [])
