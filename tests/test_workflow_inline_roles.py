"""On PostgreSQL the engine's row lock reads the acting user's roles on the object together
with the row (workflow.roles.inline_roles_sql), so that the guard needs no statement of its
own. What the guard then sees must be exactly the user's roles in context as they are asked
for separately: local roles on the ärende and on its organ, given to the user or to one of
the user's groups, none across a block, none from elsewhere, and the user's global roles."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from arenden.models import Arende, Organ
from arenden.organisation import roles as r
from tests import factories
from workflow import roles, statements
from workflow.engine import do_transition, history

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def fresh(user):
    """The same user as a new request would load it (no cached roles or groups)."""
    return type(user).objects.get(pk=user.pk)


def asked_separately(user, obj):
    return roles.roles_in_context(fresh(user), type(obj).objects.get(pk=obj.pk))


#: the user's groups, as the lock reads them when they are not known yet
READS_GROUPS = 'FROM "auth_group"'


def read_with_the_lock(user, arende, *, groups_too=True):
    """The roles the row lock left in the user's cache: the guard reads them without a
    statement of its own. The lock reads the user's groups too unless they are known."""
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        obj, _last = statements.lock(Arende, arende.pk, user)
    [lock] = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert (READS_GROUPS in lock) is groups_too
    # nothing else asked for the user's groups or roles
    others = [q["sql"] for q in queries if "FOR UPDATE" not in q["sql"]]
    assert not [q for q in others if "auth_user_groups" in q or "workflow_localrole" in q]
    with CaptureQueriesContext(connection) as queries:
        found = roles.roles_in_context(user, obj)
    assert len(queries) == 0, [q["sql"] for q in queries]
    return found


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def arende(cast):
    return cast.registrera("Ärende med lokala roller")


def test_a_role_on_the_organ_is_read_with_the_lock(cast, arende):
    # the stabschef has the role on the organ, not on the ärende
    found = read_with_the_lock(fresh(cast.stabschef), arende)
    assert r.STABSCHEF in found
    assert found == asked_separately(cast.stabschef, arende)


def test_roles_through_groups_and_on_the_arende_are_read_with_the_lock(cast, arende):
    anna = factories.user("anna", global_role=r.REVISOR)
    team = Group.objects.create(name="Beredningsgruppen")
    anna.groups.add(team)
    roles.grant(arende, r.BEREDNINGSANSVARIG, group=team)
    roles.grant(arende, r.HANDLAGGARE, user=anna)
    roles.grant(cast.organ, r.NAMNDSEKRETERARE, group=team)
    # given elsewhere: on another ärende and on another organ
    other = cast.registrera("Ett annat ärende")
    roles.grant(other, r.STABSCHEF, user=anna)
    roles.grant(factories.organ("KS", "Kommunstyrelsen"), r.JUSTERARE, user=anna)

    user = fresh(anna)
    found = read_with_the_lock(user, arende)
    expected = {r.BEREDNINGSANSVARIG, r.HANDLAGGARE, r.NAMNDSEKRETERARE, r.REVISOR}
    assert expected <= found
    assert {r.STABSCHEF, r.JUSTERARE}.isdisjoint(found)
    assert "Beredningsgruppen" in found  # a group is a global role
    assert found == asked_separately(anna, arende)
    assert roles.group_ids(user) == {g.pk for g in anna.groups.all()}

    # the groups are known now: the next lock reads only the local roles
    again = read_with_the_lock(user, other, groups_too=False)
    assert r.STABSCHEF in again and r.HANDLAGGARE not in again
    assert again == asked_separately(anna, other)


def test_a_blocked_arende_does_not_inherit_the_organs_roles_in_the_lock(cast, arende):
    Arende.objects.filter(pk=arende.pk).update(block_local_roles=True)
    found = read_with_the_lock(fresh(cast.stabschef), arende)
    assert r.STABSCHEF not in found
    assert found == asked_separately(cast.stabschef, arende)


def test_a_user_without_local_roles_gets_only_the_global_ones_from_the_lock(cast, arende):
    nobody = factories.user("utan-roller")
    found = read_with_the_lock(fresh(nobody), arende)
    assert found == roles.global_roles(nobody) == asked_separately(nobody, arende)


def test_a_step_guarded_by_an_organ_role_reads_the_roles_only_in_the_lock(cast, arende):
    # tilldela needs the stabschef's role, which is given on the organ: the lock reads it
    arende.handlaggare = cast.handlaggare
    arende.save()
    stabschef = fresh(cast.stabschef)
    with CaptureQueriesContext(connection) as queries:
        do_transition(arende, "tilldela", stabschef)
    assert Arende.objects.get(pk=arende.pk).state == "tilldelat"
    reads_of_roles = [q["sql"] for q in queries if "workflow_localrole" in q["sql"]]
    assert len(reads_of_roles) == 1  # inside the lock, nowhere else
    assert "FOR UPDATE" in reads_of_roles[0]


def test_the_inline_roles_of_a_container_with_nothing_above_it(cast):
    """The two subqueries over a model with no container (an organ): its own local roles and
    the user's groups, nothing inherited."""
    anna = factories.user("anna", global_role=r.REVISOR)
    roles.grant(cast.organ, r.STABSCHEF, user=anna)
    roles.grant(factories.organ("KS", "Kommunstyrelsen"), r.JUSTERARE, user=anna)
    local, groups = roles.inline_roles_sql(Organ, connection)
    params = [*roles.inline_roles_params(Organ, anna), anna.pk, cast.organ.pk]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {local}, {groups} FROM arenden_organ t WHERE t.id = %s", params)
        found_local, found_groups = cursor.fetchone()
    assert found_local == [r.STABSCHEF]
    assert found_groups == [[g.pk, g.name] for g in anna.groups.all()]


def test_models_whose_containment_is_deeper_than_one_container_are_asked_separately():
    # a document in a folder that may sit in another folder: no inline roles
    from tests.exampleapp.models import Document, Folder

    assert roles.inline_roles_sql(Document, connection) is None
    assert roles.inline_roles_sql(Folder, connection) is None
    assert roles.inline_roles_sql(Arende, connection) is not None


class _ComputedContainer:
    """A model that finds its container in code (its own get_local_roles_parent)."""

    local_roles_parent = None

    def get_local_roles_parent(self):
        return None


def test_a_model_that_computes_its_container_is_asked_separately():
    # the SQL cannot know what the code computes: the roles are asked for as usual
    assert roles.inline_roles_sql(_ComputedContainer, connection) is None


@pytest.mark.parametrize("nobody", [None, AnonymousUser()], ids=["systemet", "anonym"])
def test_the_lock_reads_no_roles_for_the_system_or_an_anonymous_user(arende, nobody):
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        obj, (seq, last_hash) = statements.lock(Arende, arende.pk, nobody)
    [lock] = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert "workflow_localrole" not in lock
    newest = history(arende).last()
    assert (obj.pk, obj.state, seq, last_hash) == (arende.pk, arende.state, newest.seq, newest.hash)


def test_a_local_role_past_its_last_day_is_not_read_with_the_lock(cast, arende):
    """The lock reads what roles_in_context reads: a role whose last day has passed is gone
    from both, one that holds today is in both."""
    idag = timezone.localdate()
    anna = factories.user("anna-delegat")
    roles.grant(cast.organ, r.STABSCHEF, user=anna, valid_until=idag)
    roles.grant(arende, r.HANDLAGGARE, user=anna, valid_until=idag - datetime.timedelta(days=1))
    found = read_with_the_lock(fresh(anna), arende)
    assert r.STABSCHEF in found and r.HANDLAGGARE not in found
    assert found == asked_separately(anna, arende)


def test_a_local_role_before_its_first_day_is_not_read_with_the_lock(cast, arende):
    """A role whose first day has not come is read by neither, one that started today by
    both."""
    idag = timezone.localdate()
    anna = factories.user("anna-delegat")
    roles.grant(cast.organ, r.STABSCHEF, user=anna, valid_from=idag)
    roles.grant(arende, r.HANDLAGGARE, user=anna, valid_from=idag + datetime.timedelta(days=1))
    found = read_with_the_lock(fresh(anna), arende)
    assert r.STABSCHEF in found and r.HANDLAGGARE not in found
    assert found == asked_separately(anna, arende)
