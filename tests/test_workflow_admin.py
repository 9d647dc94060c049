"""The admin is for configuration: it shows state and history, and simple-history's revert
can never move a workflow state (neither the button nor a hand-made POST)."""

import pytest
from django.contrib import admin
from django.urls import path, reverse
from django_fsm import ConcurrentTransition

from tests.exampleapp.models import Document
from workflow.admin import WorkflowModelAdmin
from workflow.engine import do_transition

pytestmark = pytest.mark.django_db


class DocumentAdmin(WorkflowModelAdmin):
    list_display = ("title", "state")


site = admin.AdminSite(name="provadmin")
site.register(Document, DocumentAdmin)
urlpatterns = [path("provadmin/", site.urls)]


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
