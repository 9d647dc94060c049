"""The admin is for configuration: it shows state and history, and simple-history's revert
can never move a workflow state (neither the button nor a hand-made POST)."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import path, reverse
from django_fsm import ConcurrentTransition

from config.urls import urlpatterns as projektets_sidor
from tests.exampleapp.models import Document, Folder
from workflow.admin import WorkflowModelAdmin
from workflow.engine import do_transition
from workflow.models import LocalRole, WorkflowHistory
from workflow.roles import grant

pytestmark = pytest.mark.django_db


class DocumentAdmin(WorkflowModelAdmin):
    list_display = ("title", "state")


class SkrivskyddadNarSparad(admin.ModelAdmin):
    """An admin mixin of the kind projects write: the title is fixed once the object exists,
    and only for those who are not superusers."""

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            return (*fields, "title")
        return fields


class DocumentMedMixinAdmin(WorkflowModelAdmin, SkrivskyddadNarSparad):
    pass


class DocumentMedStateAdmin(WorkflowModelAdmin):
    readonly_fields = ("state",)


site = admin.AdminSite(name="provadmin")
site.register(Document, DocumentAdmin)
# beside the project's pages and admin, with the project's 403 page, which shows the reason
urlpatterns = [path("provadmin/", site.urls), *projektets_sidor]
handler403 = "arenden.gemensamt.sidor.nekad"


@pytest.fixture
def published(make_user, make_document):
    author = make_user("anna", "Författare")
    reviewer = make_user("bertil", "Granskare")
    doc = make_document("Beslut", creator=author)
    do_transition(doc, "skicka", author)
    do_transition(doc, "godkann", reviewer)
    assert doc.state == "publicerad"
    return doc


@pytest.fixture
def admin_client(client, django_user_model, settings):
    settings.ROOT_URLCONF = __name__
    superuser = django_user_model.objects.create_superuser("admin", "a@example.se", "lösen-123")
    client.force_login(superuser)
    return client


def test_revert_post_is_refused_and_state_stays(admin_client, published):
    first_version = published.history.order_by("history_id").first()
    assert first_version.state == "utkast"
    url = reverse(
        "provadmin:exampleapp_document_simple_history",
        args=[published.pk, first_version.history_id],
    )

    page = admin_client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # no revert button

    response = admin_client.post(
        url, {"title": "Beslut", "folder": published.folder_id, "kind": "vanlig"}
    )
    assert response.status_code == 403
    assert "<p>Återställning från historiken är avstängd.</p>" in response.content.decode()
    published.refresh_from_db()
    assert published.state == "publicerad"


def test_rebuilt_old_version_cannot_be_saved_over_the_state(published):
    old = published.history.order_by("history_id").first().instance
    with pytest.raises(ConcurrentTransition):
        old.save()
    published.refresh_from_db()
    assert published.state == "publicerad"


def test_change_form_shows_state_read_only(admin_client, published):
    url = reverse("provadmin:exampleapp_document_change", args=[published.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert b'name="state"' not in page.content
    assert b"publicerad" in page.content

    response = admin_client.post(
        url,
        {"title": "Nytt namn", "folder": published.folder_id, "kind": "vanlig", "state": "utkast"},
    )
    assert response.status_code == 302
    published.refresh_from_db()
    assert (published.title, published.state) == ("Nytt namn", "publicerad")


def test_state_is_read_only_beside_what_other_admin_classes_make_read_only(
    rf, make_user, make_document
):
    """The state is added to whatever the rest of the admin's classes make read-only, for
    the request and object at hand, and named once."""
    handlaggare = make_user("cecilia", "Författare")
    handlaggare.is_staff = True
    doc = make_document("Beslut", creator=handlaggare)
    request = rf.get("/")
    request.user = handlaggare

    med_mixin = DocumentMedMixinAdmin(Document, site)
    assert med_mixin.get_readonly_fields(request, doc) == ("title", "state")
    assert med_mixin.get_readonly_fields(request, None) == ("state",)
    assert DocumentMedStateAdmin(Document, site).get_readonly_fields(request, doc) == ("state",)


@pytest.fixture
def arende_och_historik(make_user, make_document):
    author = make_user("dora", "Författare")
    doc = make_document("Yttrande", creator=author)
    do_transition(doc, "skicka", author, "Klar för granskning")
    return doc


def test_the_audit_history_in_the_admin_is_read_only(admin_client, arende_och_historik):
    """The superuser may read the workflow history in the admin, search and filter it, but
    never add, change or delete an entry; its comments, which may hold what the domain keeps
    from some readers, are neither shown nor searched there."""
    lista = admin_client.get(
        reverse("admin:workflow_workflowhistory_changelist"),
        {"q": "dora", "transition": "skicka"},
    )
    assert lista.status_code == 200
    text = lista.content.decode()
    assert "skicka" in text and "dora" in text
    assert "Klar för granskning" not in text
    assert reverse("admin:workflow_workflowhistory_add") not in text
    sokt = admin_client.get(
        reverse("admin:workflow_workflowhistory_changelist"), {"q": "Klar för granskning"}
    ).content.decode()
    assert "0 resultat" in sokt or "0 results" in sokt

    entry = WorkflowHistory.objects.for_object(arende_och_historik).order_by("seq").last()
    assert admin_client.get(reverse("admin:workflow_workflowhistory_add")).status_code == 403
    andra = reverse("admin:workflow_workflowhistory_change", args=[entry.pk])
    visad = admin_client.get(andra)
    assert visad.status_code == 200 and "Klar för granskning" not in visad.content.decode()
    assert admin_client.post(andra, {"comment": "Ändrad"}).status_code == 403
    ta_bort = reverse("admin:workflow_workflowhistory_delete", args=[entry.pk])
    assert admin_client.post(ta_bort, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.comment == "Klar för granskning"


def test_a_local_role_given_in_the_admin_names_who_gave_it(
    admin_client, django_user_model, make_user, make_document, folder
):
    """Who gave a local role is the admin user who added it, unless the form names someone;
    changing the role later does not rewrite who gave it. Only on what no workflow governs (a
    folder here, an organ in the domain): a role on a governed object is its steps' to give."""
    mottagare = make_user("erik", "Läsare")
    givare = make_user("frida", "Författare")
    admin_user = django_user_model.objects.get(username="admin")
    url = reverse("admin:workflow_localrole_add")
    falt = {
        "content_type": ContentType.objects.get_for_model(Folder).pk,
        "object_id": folder.pk,
        "role": "Läsare",
        "user": mottagare.pk,
        "granted_at_0": "2026-12-01",
        "granted_at_1": "10:00:00",
    }
    assert admin_client.post(url, falt).status_code == 302
    roll = LocalRole.objects.get(object_id=folder.pk, user=mottagare)
    assert roll.granted_by == admin_user

    assert (
        admin_client.post(url, {**falt, "role": "Granskare", "granted_by": givare.pk}).status_code
        == 302
    )
    assert LocalRole.objects.get(object_id=folder.pk, role="Granskare").granted_by == givare

    andra = reverse("admin:workflow_localrole_change", args=[roll.pk])
    svar = admin_client.post(andra, {**falt, "role": "Läsare", "granted_by": ""})
    assert svar.status_code == 302
    roll.refresh_from_db()
    assert roll.granted_by is None  # the form said nobody; a change does not fill it in

    # a document has a workflow: its roles are given by its steps, not here
    doc = make_document("Avtal", creator=givare)
    pa_dokument = {
        **falt,
        "content_type": ContentType.objects.get_for_model(Document).pk,
        "object_id": doc.pk,
    }
    svar = admin_client.post(url, pa_dokument)
    assert svar.status_code == 200 and "ges av det steg som ger den" in svar.content.decode()
    assert not LocalRole.objects.filter(
        content_type=ContentType.objects.get_for_model(Document), object_id=doc.pk
    ).exists()


def test_the_local_roles_list_shows_each_roles_last_day(admin_client, make_user, make_document):
    """The administrator sees which local roles end and when (a delegat's role ends with the
    last row of the delegationsordning), and can list those that have a last day."""
    doc = make_document("Avtal", creator=make_user("frida", "Författare"))
    grant(doc, "Läsare", user=make_user("erik", "Läsare"), valid_until=datetime.date(2027, 3, 31))
    grant(doc, "Granskare", user=make_user("gustav", "Läsare"))
    lista = reverse("admin:workflow_localrole_changelist")

    svar = admin_client.get(lista)
    assert svar.status_code == 200
    assert "31 mars 2027" in svar.content.decode()

    med_slutdag = admin_client.get(lista, {"valid_until__isnull": "False"})
    assert [r.user.username for r in med_slutdag.context["cl"].result_list] == ["erik"]


def test_an_account_is_deactivated_never_deleted(admin_client, make_user, make_document):
    """Deleting an account set its name to NULL in every field-history row it made, which the
    signature covers: each read as tampered with, and who did it was lost. Refused, in the
    admin and anywhere else, with nothing changed."""
    from django.core.exceptions import PermissionDenied
    from django.db import transaction

    from workflow import fieldhistory

    doc = make_document("Avtal", creator=make_user("erik", "Författare"))
    # frida took no workflow step (the workflow history's PROTECT does not hold her): she
    # only changed a field
    frida = make_user("frida", "Författare")
    doc._history_user = frida
    doc.title = "Avtal om städning"
    doc.save()
    assert admin_client.get(reverse("admin:auth_user_delete", args=[frida.pk])).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:auth_user_delete", args=[frida.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    sida = admin_client.get(reverse("admin:auth_user_change", args=[frida.pk])).content.decode()
    assert reverse("admin:auth_user_delete", args=[frida.pk]) not in sida
    with pytest.raises(PermissionDenied, match="Inaktivera kontot"), transaction.atomic():
        frida.delete()
    frida.refresh_from_db()
    assert doc.history.filter(history_user=frida).exists()
    _antal, problem = fieldhistory.verify()
    assert problem == []


def test_the_account_form_gives_no_permission_one_by_one(admin_client, make_user):
    """A right comes from a role, recorded when given; a permission given to the account
    itself would open pages with no record: the form has no such field, and a POST that
    names one gives nothing."""
    from django.contrib.auth.models import Permission, User

    bo = make_user("bo", "Författare")
    url = reverse("admin:auth_user_change", args=[bo.pk])
    sida = admin_client.get(url).content.decode()
    assert 'name="user_permissions"' not in sida and 'name="groups"' in sida
    perm = Permission.objects.get(codename="view_workflowhistory")
    svar = admin_client.post(
        url,
        {
            "username": "bo",
            "is_active": "on",
            "groups": list(bo.groups.values_list("pk", flat=True)),
            "user_permissions": [perm.pk],
            "date_joined_0": "2025-01-01",
            "date_joined_1": "12:00:00",
        },
    )
    assert svar.status_code == 302
    bo = User.objects.get(pk=bo.pk)
    assert not bo.user_permissions.exists()
    assert not bo.has_perm("workflow.view_workflowhistory")


def test_a_role_is_shown_never_renamed_given_permissions_or_deleted(admin_client, make_user):
    """A group is a role by its name: renamed, its members would hold another role; given a
    permission, they would read what it opens; deleted, their memberships would go. None of
    it is recorded, so the admin does none of it."""
    from django.contrib.auth.models import Group, Permission

    make_user("bo", "Författare")
    grupp = Group.objects.get(name="Författare")
    url = reverse("admin:auth_group_change", args=[grupp.pk])
    assert admin_client.get(url).status_code == 200
    perm = Permission.objects.get(codename="view_workflowhistory")
    assert (
        admin_client.post(url, {"name": "Granskare", "permissions": [perm.pk]}).status_code == 403
    )
    assert (
        admin_client.post(
            reverse("admin:auth_group_delete", args=[grupp.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert admin_client.post(reverse("admin:auth_group_add"), {"name": "Ny"}).status_code == 403
    grupp.refresh_from_db()
    assert (grupp.name, grupp.permissions.count(), grupp.user_set.count()) == ("Författare", 0, 1)
