"""Who may do what outside the workflow's map has a record nobody can quietly alter
(arenden.konto.behorigheter): an account's flags have a signed history, and a Django
permission counts only when the system gave it, with its signed history row."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from arenden.konto.behorigheter import Tilldelning
from arenden.organisation import roles as r
from tests import factories
from workflow.history import verify

pytestmark = pytest.mark.django_db

User = get_user_model()
GRANSKA = "workflow.view_workflowhistory"


def _granska():
    return Permission.objects.get(
        content_type__app_label="workflow", codename="view_workflowhistory"
    )


def _avvikelser():
    return [(a.model_label, a.object_id, a.reason) for a in verify().live]


def test_a_superuser_made_beside_the_system_is_found():
    anna = factories.user("anna")
    [rad] = anna.history.all()
    assert (rad.history_type, rad.is_superuser) == ("+", False) and rad.history_mac
    assert not hasattr(rad, "password") and not hasattr(rad, "last_login")
    assert _avvikelser() == []
    User.objects.filter(pk=anna.pk).update(is_superuser=True, is_staff=True)
    assert _avvikelser() == [
        (
            "arenden.historicaluser",
            anna.pk,
            "raden som gäller nu har superanvändare, personalstatus som historiken inte har "
            "(ändrad utan att historiken skrevs)",
        )
    ]


def test_a_flag_changed_by_the_system_names_who_and_leaves_the_check_clean():
    admin = User.objects.create_superuser("admin", password="lösenord-123")
    bertil = factories.user("bertil")
    bertil._history_user = admin
    bertil.is_active = False
    bertil.save()
    senaste = bertil.history.first()
    assert (senaste.history_type, senaste.is_active, senaste.history_user) == ("~", False, admin)
    assert _avvikelser() == []


def test_a_login_writes_its_time_but_no_history_row(client):
    factories.user("cecilia")
    assert client.post(
        reverse("login"), {"username": "cecilia", "password": "lösenord-123"}
    ).status_code in (200, 302)
    cecilia = User.objects.get(username="cecilia")
    assert cecilia.last_login is not None
    assert cecilia.history.count() == 1
    assert _avvikelser() == []


def test_a_permission_given_by_the_system_counts_and_is_recorded():
    revisor = factories.user("revisor", global_role=r.REVISOR)
    assert revisor.has_perm(GRANSKA)
    grupp = Group.objects.get(name=r.REVISOR)
    rad = Tilldelning.objects.get(grupp=grupp, behorighet=_granska())
    # given by the migrations (0064), named in its history by 0070
    assert [(h.history_type, h.behorighet_kod) for h in rad.history.all()] == [
        ("~", GRANSKA),
        ("+", ""),
    ]
    grupp.permissions.remove(_granska())
    assert not User.objects.get(pk=revisor.pk).has_perm(GRANSKA)
    assert not Tilldelning.objects.filter(grupp=grupp).exists()
    assert list(Tilldelning.history.filter(id=rad.pk).values_list("history_type", flat=True)) == [
        "-",
        "~",
        "+",
    ]
    assert _avvikelser() == []


def test_the_registrators_right_to_gallra_is_given_by_the_migrations_and_recorded():
    """0071 gives the group Registrator the right the gallring and the delivery to the
    e-arkiv ask as the system gives every permission: mirrored, with a signed first row
    naming why."""
    registrator = factories.user("registrator", global_role=r.REGISTRATOR)
    handlaggare = factories.user("handlaggare")
    assert registrator.has_perm("arenden.arkivvard")
    assert not handlaggare.has_perm("arenden.arkivvard")
    rad = Tilldelning.objects.get(grupp__name=r.REGISTRATOR, behorighet__codename="arkivvard")
    [forsta] = rad.history.all()
    assert (forsta.history_type, forsta.behorighet_kod, forsta.history_change_reason) == (
        "+",
        "arenden.arkivvard",
        "registratorn sköter arkivet: gallring och leverans till e-arkivet",
    )
    assert forsta.history_mac
    assert _avvikelser() == [] and verify().intact


def test_given_and_taken_from_the_permissions_side_too():
    gustav = factories.user("gustav")
    grupp = Group.objects.create(name="Granskare")
    se_grupper = Permission.objects.get(content_type__app_label="auth", codename="view_group")
    se_grupper.group_set.add(grupp)
    se_grupper.user_set.add(gustav)
    assert Tilldelning.objects.filter(behorighet=se_grupper).count() == 2
    assert User.objects.get(pk=gustav.pk).has_perm("auth.view_group")
    se_grupper.group_set.clear()
    assert list(
        Tilldelning.objects.filter(behorighet=se_grupper).values_list("anvandare", flat=True)
    ) == [gustav.pk]
    gustav.user_permissions.clear()
    assert not Tilldelning.objects.filter(behorighet=se_grupper).exists()
    assert not User.objects.get(pk=gustav.pk).has_perm("auth.view_group")
    assert _avvikelser() == []


@pytest.mark.parametrize("var", ["grupp", "konto", "medlemskap"])
def test_a_permission_written_beside_the_system_gives_nothing_and_is_found(client, var):
    david = factories.user("david", global_role=r.HANDLAGGARE)
    grupp = Group.objects.get(name=r.HANDLAGGARE)
    if var == "grupp":
        Group.permissions.through.objects.create(group=grupp, permission=_granska())
        vantad = ("auth.group_permissions", grupp.pk, f"behörigheten {_granska().pk} för grupp")
    elif var == "konto":
        User.user_permissions.through.objects.create(user=david, permission=_granska())
        vantad = ("auth.user_user_permissions", david.pk, f"behörigheten {_granska().pk} för konto")
    else:
        revisorer = Group.objects.get_or_create(name=r.REVISOR)[0]
        factories.user("revisor", global_role=r.REVISOR)  # the group has its permission
        User.groups.through.objects.create(user=david, group=revisorer)
        vantad = ("auth.user_groups", david.pk, f"medlemskapet i grupp {revisorer.pk} för konto")
    david = User.objects.get(pk=david.pk)
    assert not david.has_perm(GRANSKA)
    client.force_login(david)
    assert client.get(reverse("arenden:auditlogg")).status_code == 403
    [(label, object_id, skal)] = _avvikelser()
    assert (label, object_id) == vantad[:2]
    assert skal.startswith(vantad[2]) and skal.endswith(
        "finns i Djangos tabell men inte i den signerade: ändrat i databasen utan att "
        "historiken skrevs"
    )


def test_a_mirror_row_removed_beside_the_system_is_found():
    factories.user("revisor", global_role=r.REVISOR)
    grupp = Group.objects.get(name=r.REVISOR)
    Tilldelning.objects.filter(grupp=grupp).delete()  # history "-" row, but Django's row stays
    [(label, object_id, skal)] = _avvikelser()
    assert (label, object_id) == ("auth.group_permissions", grupp.pk)
    assert "finns i Djangos tabell men inte i den signerade" in skal


@pytest.fixture
def tillbaka_till_senaste():
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_accounts_and_permissions_there_before_get_a_signed_first_row(tillbaka_till_senaste):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    fore = [("arenden", "0063_historik_for_grupper")]
    executor.migrate(fore)
    apps = executor.loader.project_state(fore).apps
    # as the models were then: no history for the accounts, no mirror of the permissions
    gammal = apps.get_model("auth", "User").objects.create(username="fanns-fore", is_staff=True)
    # the group's own history is older (0063)
    grupp = apps.get_model("auth", "Group").objects.get(pk=Group.objects.create(name="Fanns").pk)
    behorighet = apps.get_model("auth", "Permission").objects.get(
        content_type__app_label="workflow", codename="view_workflowhistory"
    )
    grupp.permissions.add(behorighet)
    gammal.user_permissions.add(behorighet)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # to the latest: the whole check below reads what later migrations make
    executor.migrate(executor.loader.graph.leaf_nodes())
    konto = User.objects.get(username="fanns-fore")
    [rad] = konto.history.all()
    assert (rad.history_change_reason, rad.is_staff) == ("fanns innan historiken fördes", True)
    assert rad.history_mac
    tilldelade = Tilldelning.objects.filter(behorighet_id=behorighet.pk)
    # with the Revisor group's own, which the migrations give it
    assert {(t.anvandare_id, t.grupp_id) for t in tilldelade} >= {
        (konto.pk, None),
        (None, grupp.pk),
    }
    # the first row from 0064, the second from 0070 naming the permission
    assert all(
        [(h.history_type, h.behorighet_kod) for h in t.history.order_by("history_id")]
        == [("+", ""), ("~", GRANSKA)]
        and all(h.history_mac for h in t.history.all())
        for t in tilldelade
    )
    assert konto.has_perm(GRANSKA)
    assert verify().live == []


def test_a_permission_renamed_in_djangos_table_gives_nothing_and_is_found():
    """Django's table of permissions has no history: the revisor's right swapped there with
    the registrator's (the ids the signed grants point at) would hand the granskningslogg to
    the registrator with every signed row as it was. The grant keeps the name it was given
    as: the renamed permission gives nothing, and the check says which grant it was."""
    registrator = factories.user("registrator", global_role=r.REGISTRATOR)
    revisor = factories.user("revisor", global_role=r.REVISOR)
    assert registrator.has_perm("arenden.add_arende") and revisor.has_perm(GRANSKA)
    assert _avvikelser() == []
    granska = _granska()
    registrera = Permission.objects.get(content_type__app_label="arenden", codename="add_arende")
    Permission.objects.filter(pk=granska.pk).update(codename="tillfalligt")
    Permission.objects.filter(pk=registrera.pk).update(
        codename="view_workflowhistory", content_type=granska.content_type
    )
    Permission.objects.filter(pk=granska.pk).update(
        codename="add_arende", content_type=registrera.content_type
    )
    registrator = User.objects.get(pk=registrator.pk)
    revisor = User.objects.get(pk=revisor.pk)
    assert not registrator.has_perm(GRANSKA) and not revisor.has_perm("arenden.add_arende")
    givna = {
        t.pk: t.grupp.name for t in Tilldelning.objects.filter(behorighet__in=[granska, registrera])
    }
    found = sorted(a for a in _avvikelser() if a[0] == "arenden.tilldelning")
    assert sorted((label, givna[pk]) for label, pk, _ in found) == [
        ("arenden.tilldelning", r.REGISTRATOR),
        ("arenden.tilldelning", r.REVISOR),
    ]
    skal = {givna[pk]: s for _, pk, s in found}
    assert skal[r.REGISTRATOR] == (
        f"behörigheten {registrera.pk} heter nu workflow.view_workflowhistory men gavs som "
        "arenden.add_arende: ändrad i Djangos tabell över behörigheter utan att historiken "
        "skrevs (den som fått den har nu en annan rättighet)"
    )
    ok, _ut = _kommandot()
    assert not ok


def test_each_grant_records_the_permissions_name_in_its_signed_history():
    factories.user("revisor", global_role=r.REVISOR)
    rad = Tilldelning.objects.get(grupp__name=r.REVISOR, behorighet=_granska())
    assert rad.behorighet_kod == GRANSKA
    assert rad.history.first().behorighet_kod == GRANSKA
    assert _avvikelser() == []


def _kommandot():
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    try:
        call_command("verify_history", stdout=out)
    except CommandError as fel:
        return False, out.getvalue() + str(fel)
    return True, out.getvalue()


def test_a_permission_removed_from_djangos_table_under_its_grant_is_found():
    """SQL past the foreign key: the grant points at a permission that is gone. A join
    would pass it over; the check names it."""
    factories.user("revisor", global_role=r.REVISOR)
    rad = Tilldelning.objects.get(grupp__name=r.REVISOR, behorighet=_granska())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute("PRAGMA defer_foreign_keys = ON")
        cursor.execute(
            "DELETE FROM auth_group_permissions WHERE permission_id = %s", [rad.behorighet_id]
        )
        cursor.execute(
            "SELECT id, name, content_type_id, codename FROM auth_permission WHERE id = %s",
            [rad.behorighet_id],
        )
        borta = cursor.fetchone()
        cursor.execute("DELETE FROM auth_permission WHERE id = %s", [rad.behorighet_id])
        found = [a for a in _avvikelser() if a[0] == "arenden.tilldelning"]
        # put back before the test's end checks the foreign keys
        cursor.execute(
            "INSERT INTO auth_permission (id, name, content_type_id, codename) "
            "VALUES (%s, %s, %s, %s)",
            list(borta),
        )
        assert found == [
            (
                "arenden.tilldelning",
                rad.pk,
                f"behörigheten {rad.behorighet_id} heter nu – men gavs som {GRANSKA}: ändrad i "
                "Djangos tabell över behörigheter utan att historiken skrevs (den som fått den "
                "har nu en annan rättighet)",
            )
        ]
