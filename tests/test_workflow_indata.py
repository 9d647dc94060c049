"""Bad input at the engine's edges gives no 500 (issue 13, item 9; found by tests/test_fuzz.py):
a refusal leads back to where the user came from only as an address, and the admin's field
history of an id the primary key cannot hold is no object."""

import pytest
from django.contrib.auth.models import User
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from workflow.admin import LocalRoleAdmin
from workflow.middleware import RefusalMiddleware
from workflow.models import LocalRole


def _vagran(referer: str):
    request = RequestFactory().post("/arende/1/overgang/", HTTP_REFERER=referer)
    request._messages = CookieStorage(request)
    return RefusalMiddleware(lambda r: None).process_exception(request, ValidationError("Nej."))


def test_a_refusal_leads_back_to_an_address_never_to_a_name_to_look_up():
    """A Referer that is a bare word was looked up as a URL name, and failed with a 500."""
    svar = _vagran("tillbaka")
    assert svar.status_code == 302 and svar["Location"] == "tillbaka"
    assert _vagran("http://testserver/arende/1/")["Location"] == "http://testserver/arende/1/"


@pytest.mark.parametrize("referer", ["https://annan.example/", ""])
def test_a_refusal_from_elsewhere_leads_to_the_start_page(referer):
    assert _vagran(referer)["Location"] == "/"


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("konfig", "konfig@example.se", "x"))
    return client


@pytest.mark.parametrize("object_id", ["finns-inte", "1.5", "x" * 300])
def test_the_field_history_of_an_id_that_cannot_be_is_no_object(admin_client, object_id):
    svar = admin_client.get(f"/admin/workflow/localrole/{object_id}/history/")
    assert svar.status_code == 302 and svar["Location"] == "/admin/"
    # and the admin says which id it did not find
    assert object_id in admin_client.get("/admin/").content.decode()


def test_the_field_history_of_a_local_role_is_read_as_before(admin_client):
    from django.contrib.admin.sites import site
    from django.contrib.contenttypes.models import ContentType

    konfig = User.objects.get(username="konfig")
    roll = LocalRole.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_id=konfig.pk,
        role="Granskare",
        user=konfig,
    )
    svar = admin_client.get(f"/admin/workflow/localrole/{roll.pk}/history/")
    assert svar.status_code == 200 and "Granskare" in svar.content.decode()
    # what the caller adds to the page is passed on
    request = RequestFactory().get("/")
    request.user = konfig
    sida = LocalRoleAdmin(LocalRole, site).history_view(
        request, str(roll.pk), extra_context={"title": "Rollens historik i test"}
    )
    assert "Rollens historik i test" in sida.content.decode()
