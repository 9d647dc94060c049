"""Roles in context (global, local, inherited, blocked), user.has_perm from the state's
permission map, and worklists."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from tests.exampleapp.models import Document, Folder
from workflow import roles
from workflow.engine import do_transition, worklist

pytestmark = pytest.mark.django_db

VIEW = "exampleapp.view_document"
CHANGE = "exampleapp.change_document"


def fresh(user):
    """The same user as a new request would load it (no cached roles)."""
    return type(user).objects.get(pk=user.pk)


def test_global_roles_come_from_groups(make_user, make_document):
    user = make_user("anna", "Författare", "Granskare")
    doc = make_document()
    assert roles.roles_in_context(user, doc) == {
        "Författare",
        "Granskare",
        "Authenticated",
        "Anonymous",
    }


def test_local_role_on_the_object_applies_only_there(make_user, make_document):
    user = make_user("anna")
    mine, other = make_document("Mitt"), make_document("Annat")
    roles.grant(mine, "Författare", user=user)

    assert "Författare" in roles.roles_in_context(user, mine)
    assert "Författare" not in roles.roles_in_context(user, other)
    do_transition(mine, "skicka", user)
    assert mine.state == "granskning"


def test_local_role_given_to_a_group(make_user, make_document):
    user = make_user("bertil")
    team = Group.objects.create(name="Team norr")
    user.groups.add(team)
    doc = make_document()
    roles.grant(doc, "Granskare", group=team)
    assert "Granskare" in roles.roles_in_context(fresh(user), doc)


def test_local_roles_are_inherited_from_the_folder_and_its_parents(make_user):
    top = Folder.objects.create(name="Regionen")
    middle = Folder.objects.create(name="Nämnden", parent=top)
    doc = Document.objects.create(title="D", folder=middle)
    user = make_user("cecilia")
    roles.grant(top, "Redaktör", user=user)

    assert "Redaktör" in roles.roles_in_context(user, doc)
    assert user.has_perm(VIEW, doc)


def test_blocking_stops_inheritance(make_user):
    top = Folder.objects.create(name="Regionen")
    middle = Folder.objects.create(name="Nämnden", parent=top, block_local_roles=True)
    doc = Document.objects.create(title="D", folder=middle)
    blocked_doc = Document.objects.create(title="B", folder=top, block_local_roles=True)
    user = make_user("cecilia")
    roles.grant(top, "Redaktör", user=user)
    roles.grant(middle, "Granskare", user=user)
    roles.grant(blocked_doc, "Författare", user=user)

    in_middle = roles.roles_in_context(user, doc)
    assert "Granskare" in in_middle  # from the blocking folder itself
    assert "Redaktör" not in in_middle  # from above the block
    on_blocked = roles.roles_in_context(user, blocked_doc)
    assert "Författare" in on_blocked and "Redaktör" not in on_blocked


def test_revoking_a_local_role_takes_effect_at_once(make_user, make_document):
    user = make_user("anna")
    doc = make_document()
    roles.grant(doc, "Författare", user=user)
    assert user.has_perm(CHANGE, doc)
    assert roles.revoke(doc, "Författare", user=user) == 1
    assert not user.has_perm(CHANGE, doc)


def test_granting_and_revoking_is_itself_recorded(make_user, make_document):
    stabschef = make_user("stab")
    user = make_user("anna")
    doc = make_document()
    local = roles.grant(doc, "Författare", user=user, granted_by=stabschef)
    roles.revoke(doc, "Författare", user=user)
    records = list(local.history.order_by("history_id").values_list("history_type", flat=True))
    assert records == ["+", "-"]


def test_has_perm_follows_the_state_permission_map(make_user, make_document):
    author = make_user("anna", "Författare")
    reviewer = make_user("bertil", "Granskare")
    doc = make_document()

    assert author.has_perm(CHANGE, doc) and author.has_perm(VIEW, doc)
    assert not reviewer.has_perm(VIEW, doc)
    do_transition(doc, "skicka", author)
    # under granskning only the Granskare may change it; the author may still read it
    assert not fresh(author).has_perm(CHANGE, doc)
    assert fresh(author).has_perm(VIEW, doc)
    assert fresh(reviewer).has_perm(CHANGE, doc)
    assert fresh(author).get_all_permissions(doc) == {VIEW}


def test_public_state_gives_anonymous_view(make_user, make_document):
    author = make_user("anna", "Författare")
    reviewer = make_user("bertil", "Granskare")
    doc = make_document()
    assert not AnonymousUser().has_perm(VIEW, doc)
    do_transition(doc, "skicka", author)
    do_transition(doc, "godkann", reviewer)
    assert doc.state == "publicerad"
    assert AnonymousUser().has_perm(VIEW, doc)
    assert not AnonymousUser().has_perm(CHANGE, doc)


def test_permission_not_in_the_map_is_never_given(make_user, make_document):
    editor = make_user("cecilia", "Redaktör")
    doc = make_document()
    assert not editor.has_perm("exampleapp.delete_document", doc)


def test_inactive_user_holds_nothing(make_user, make_document):
    user = make_user("slutat", "Författare", is_active=False)
    doc = make_document()
    roles.grant(doc, "Författare", user=user)
    assert not user.has_perm(VIEW, doc)


def test_worklist_by_global_role(make_user, make_document):
    author = make_user("anna", "Författare")
    reviewer = make_user("bertil", "Granskare")
    waiting = make_document("Väntar")
    make_document("Utkast")
    do_transition(waiting, "skicka", author)

    assert list(worklist(reviewer, "att_granska")) == [waiting]
    assert list(worklist(author, "att_granska")) == []


def test_worklist_by_local_role_inherited_and_blocked(make_user):
    author = make_user("anna", "Författare")
    reviewer = make_user("bertil")
    team = Group.objects.create(name="Granskargruppen")
    group_member = make_user("gunnel")
    group_member.groups.add(team)
    north = Folder.objects.create(name="Norr")
    south = Folder.objects.create(name="Söder")
    in_north = Document.objects.create(title="N", folder=north)
    in_south = Document.objects.create(title="S", folder=south)
    blocked = Document.objects.create(title="B", folder=north, block_local_roles=True)
    direct = Document.objects.create(title="D", folder=south)
    for doc in (in_north, in_south, blocked, direct):
        do_transition(doc, "skicka", author)
    roles.grant(north, "Granskare", user=reviewer)
    roles.grant(direct, "Granskare", user=reviewer)
    roles.grant(south, "Granskare", group=team)

    assert set(worklist(reviewer, "att_granska")) == {in_north, direct}
    assert set(worklist(fresh(group_member), "att_granska")) == {in_south, direct}
    assert list(worklist(AnonymousUser(), "att_granska")) == []


def test_worklist_respects_placeful_policy(make_user, make_document):
    editor = make_user("cecilia", "Redaktör")
    secret = make_document("Hemligt", kind="hemlig")
    make_document("Öppet")
    assert list(worklist(editor, "hemliga_utkast")) == [secret]


def test_worklist_costs_a_bounded_number_of_queries(make_user, django_assert_max_num_queries):
    author = make_user("anna", "Författare")
    folder = Folder.objects.create(name="F")
    for i in range(20):
        doc = Document.objects.create(title=f"D{i}", folder=folder)
        do_transition(doc, "skicka", author)
    reviewer = make_user("bertil")
    roles.grant(folder, "Granskare", user=reviewer)
    reviewer = fresh(reviewer)
    with django_assert_max_num_queries(2):
        items = list(worklist(reviewer, "att_granska"))
    assert len(items) == 20


def test_unknown_worklist_is_an_error(make_user):
    with pytest.raises(LookupError, match="Okänd arbetslista"):
        worklist(make_user("x"), "finns_inte")


def test_deleting_a_group_takes_its_role_away_at_once(make_user, make_document):
    user = make_user("anna", "Författare")
    doc = make_document()
    assert user.has_perm(CHANGE, doc)
    Group.objects.get(name="Författare").delete()
    assert not user.has_perm(CHANGE, doc)


def test_a_local_role_with_a_last_day_holds_through_that_day_and_not_after(
    make_user, make_document
):
    """A role that follows from a record with a period (a delegation) ends with it: it holds
    up to and including its last day, and the day after it is gone from roles, permissions
    and worklists alike, with no job that takes it away."""
    author = make_user("anna", "Författare")
    reviewer = make_user("bertil")
    doc = make_document("Väntar")
    do_transition(doc, "skicka", author)
    today = timezone.localdate()
    local = roles.grant(doc, "Granskare", user=reviewer, valid_until=today)
    assert local.valid_until == today
    assert "Granskare" in roles.roles_in_context(fresh(reviewer), doc)
    assert fresh(reviewer).has_perm(VIEW, doc)
    assert list(worklist(fresh(reviewer), "att_granska")) == [doc]

    roles.grant(doc, "Granskare", user=reviewer, valid_until=today - datetime.timedelta(days=1))
    assert "Granskare" not in roles.roles_in_context(fresh(reviewer), doc)
    assert not fresh(reviewer).has_perm(VIEW, doc)
    assert list(worklist(fresh(reviewer), "att_granska")) == []

    # given again for good, it holds again: one row, the newest last day
    roles.grant(doc, "Granskare", user=reviewer)
    assert "Granskare" in roles.roles_in_context(fresh(reviewer), doc)
    assert [r.valid_until for r in roles.local_roles_on(doc)] == [None]


def test_a_local_role_with_a_first_day_holds_from_that_day_and_not_before(
    make_user, make_document, monkeypatch
):
    """A role given today for a period that starts later (a delegation adopted for next month)
    gives nothing today, neither roles, permissions nor worklists; on its first day it holds,
    with no job that gives it."""
    author = make_user("anna", "Författare")
    reviewer = make_user("bertil")
    doc = make_document("Väntar")
    do_transition(doc, "skicka", author)
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    local = roles.grant(doc, "Granskare", user=reviewer, valid_from=today + day)
    assert (local.valid_from, local.valid_until) == (today + day, None)
    assert "Granskare" not in roles.roles_in_context(fresh(reviewer), doc)
    assert not fresh(reviewer).has_perm(VIEW, doc)
    assert list(worklist(fresh(reviewer), "att_granska")) == []

    tomorrow = timezone.now() + day
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    assert "Granskare" in roles.roles_in_context(fresh(reviewer), doc)
    assert fresh(reviewer).has_perm(VIEW, doc)
    assert list(worklist(fresh(reviewer), "att_granska")) == [doc]


def test_a_role_held_for_periods_holds_in_each_and_not_between_them(
    make_user, make_document, monkeypatch
):
    """One principal, one role, one object, two periods with a gap: two rows. Given the
    periods again, a period no longer among them goes and the one kept keeps its row."""
    reviewer = make_user("bertil")
    doc = make_document("Väntar")
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    first, second = roles.grant_periods(
        doc, "Granskare", [(None, today - day), (today + day, today + 9 * day)], user=reviewer
    )

    def holds(on):
        moment = timezone.now() + (on - today)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        held = "Granskare" in roles.roles_in_context(fresh(reviewer), doc)
        monkeypatch.undo()
        return held

    assert [holds(today + n * day) for n in (-30, -1, 0, 1, 9, 10)] == [
        True,
        True,
        False,
        True,
        True,
        False,
    ]
    [kept] = roles.grant_periods(doc, "Granskare", [(today + day, None)], user=reviewer)
    assert kept.pk == second.pk and kept.valid_until is None
    assert [(r.valid_from, r.valid_until) for r in roles.local_roles_on(doc)] == [
        (today + day, None)
    ]
    assert not holds(today - day) and holds(today + 400 * day)
    assert roles.grant_periods(doc, "Granskare", [], user=reviewer) == []
    assert roles.local_roles_on(doc) == []
    with pytest.raises(ValueError, match="^two periods start on the same day$"):
        roles.grant_periods(doc, "Granskare", [(today, today), (today, None)], user=reviewer)


def test_a_membership_written_beside_the_system_gives_no_role(make_user, make_document):
    """Roles are read from the recorded memberships (GroupMembership, with a signed history
    of who gave each and when), not from Django's user–group table it mirrors: a row put in
    that table by SQL, or by a bulk write that sends no signal, grants nothing, on the pages'
    check and in the row lock's inline read alike."""
    from django.db import connection

    user = make_user("anna")
    doc = make_document()
    granskare, forfattare = (
        Group.objects.create(name="Granskare"),
        Group.objects.create(name="Författare"),
    )
    through = type(user).groups.through
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(through._meta.db_table)} "
            "(user_id, group_id) VALUES (%s, %s)",
            [user.pk, granskare.pk],
        )
    through.objects.bulk_create([through(user_id=user.pk, group_id=forfattare.pk)])
    roles.grant(doc, "Granskare", group=granskare)
    assert set(fresh(user).groups.values_list("name", flat=True)) == {"Granskare", "Författare"}
    assert roles.roles_in_context(fresh(user), doc) == {"Authenticated", "Anonymous"}
    assert not fresh(user).has_perm(VIEW, doc)
    fresh(user).groups.remove(granskare, forfattare)
    user = fresh(user)
    user.groups.add(granskare)  # through the system: mirrored, recorded, a role
    assert "Granskare" in roles.roles_in_context(fresh(user), doc)
