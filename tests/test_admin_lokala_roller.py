"""The local roles in /admin/: a role on an ärende (Handläggare, Beredningsansvarig,
Justerare, Delegat …) follows from the workflow step that gives it, and the ärende's history
shows that step; a superuser reads it there, never gives, changes or takes one away. A role
on what no workflow governs (an organ's Stabschef) is given, changed and ended there."""

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType

from arenden.handlaggning.services import tilldela
from arenden.models import Arende
from arenden.organisation import roles as r
from tests import factories
from workflow.models import LocalRole

pytestmark = pytest.mark.django_db

LISTA = "/admin/workflow/localrole/"
NY = "/admin/workflow/localrole/add/"


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def arende(cast):
    """An ärende with its handläggare given by the step that gives it."""
    arende = cast.registrera("Samverkan kring palliativ vård")
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    return arende


@pytest.fixture
def superanvandare(client):
    client.force_login(User.objects.create_superuser("konfig", "konfig@example.se", "x"))
    return client


def _handlaggarroll(arende, user):
    return LocalRole.objects.filter(
        content_type=ContentType.objects.get_for_model(Arende),
        object_id=arende.pk,
        role=r.HANDLAGGARE,
        user=user,
    )


def _formular(arende, user, roll=r.HANDLAGGARE):
    """What the add or change form would send: the role on the ärende, to ``user``."""
    return {
        "content_type": ContentType.objects.get_for_model(Arende).pk,
        "object_id": arende.pk,
        "role": roll,
        "user": user.pk,
        "group": "",
        "granted_at_0": "2025-10-20",
        "granted_at_1": "09:00:00",
        "valid_from": "",
        "valid_until": "",
        "granted_by": "",
    }


def test_a_superuser_cannot_give_a_workflow_role_on_an_arende_in_the_admin(
    superanvandare, arende, cast
):
    fore = LocalRole.objects.count()
    svar = superanvandare.post(NY, _formular(arende, cast.revisor))
    assert svar.status_code == 200  # the form again, with why
    assert "ges av det steg som ger den" in svar.content.decode()
    assert not _handlaggarroll(arende, cast.revisor).exists()
    assert LocalRole.objects.count() == fore


def test_a_role_on_an_organ_is_given_changed_and_ended_in_the_admin(superanvandare, cast):
    ny = factories.user("ny-stabschef")
    falt = {
        "content_type": ContentType.objects.get_for_model(cast.organ).pk,
        "object_id": cast.organ.pk,
        "role": r.STABSCHEF,
        "user": ny.pk,
        "group": "",
        "granted_at_0": "2025-10-20",
        "granted_at_1": "09:00:00",
        "valid_from": "",
        "valid_until": "",
        "granted_by": "",
    }
    assert superanvandare.post(NY, falt).status_code == 302
    roll = LocalRole.objects.get(object_id=cast.organ.pk, user=ny, role=r.STABSCHEF)
    assert roll.granted_by.username == "konfig"
    andra = f"{LISTA}{roll.pk}/change/"
    svar = superanvandare.post(andra, {**falt, "valid_until": "2025-12-31"})
    assert svar.status_code == 302
    roll.refresh_from_db()
    assert str(roll.valid_until) == "2025-12-31"
    assert superanvandare.post(f"{LISTA}{roll.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not LocalRole.objects.filter(pk=roll.pk).exists()
    # the field history keeps who gave it and who ended it
    assert roll.history.count() == 3


def test_a_role_given_by_the_workflow_is_shown_and_cannot_be_changed_or_removed(
    superanvandare, arende, cast
):
    [roll] = _handlaggarroll(arende, cast.handlaggare)
    sida = superanvandare.get(f"{LISTA}{roll.pk}/change/")
    assert sida.status_code == 200
    assert r.HANDLAGGARE in sida.content.decode()
    assert b'name="_save"' not in sida.content

    # handed over to someone else, by a hand-made POST
    svar = superanvandare.post(f"{LISTA}{roll.pk}/change/", _formular(arende, cast.revisor))
    assert svar.status_code == 403
    roll.refresh_from_db()
    assert roll.user == cast.handlaggare
    assert not _handlaggarroll(arende, cast.revisor).exists()

    assert superanvandare.get(f"{LISTA}{roll.pk}/delete/").status_code == 403
    assert superanvandare.post(f"{LISTA}{roll.pk}/delete/", {"post": "yes"}).status_code == 403
    assert LocalRole.objects.filter(pk=roll.pk).exists()


def test_the_admin_makes_no_api_key(client):
    """A key is made by ``manage.py api_nyckel``, which gives none to an administrator; one
    made in the admin for someone else would let its maker read as them, and the log of
    reads of secret content name the wrong reader (OSL 5 kap. 5 §)."""
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    admin = User.objects.create_superuser("admin", "admin@example.se", "lösen-123")
    handlaggare = User.objects.create_user("hanna")
    client.force_login(admin)
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404
    svar = client.post(
        "/admin/authtoken/tokenproxy/add/", {"user": handlaggare.pk, "_save": "Spara"}
    )
    assert svar.status_code == 404
    assert not Token.objects.exists()
    assert "authtoken" not in client.get("/admin/").content.decode()


def _pa_organ(organ, user, roll=r.STABSCHEF, **andra):
    return {
        "content_type": ContentType.objects.get_for_model(organ).pk,
        "object_id": organ.pk,
        "role": roll,
        "user": user.pk,
        "group": "",
        "granted_at_0": "2025-10-20",
        "granted_at_1": "09:00:00",
        "valid_from": "",
        "valid_until": "",
        "granted_by": "",
        **andra,
    }


@pytest.mark.parametrize(
    ("andra", "meddelande"),
    [
        ({"role": "Stabchef"}, "Stabchef är ingen roll"),
        ({"role": "stabschef"}, "stabschef är ingen roll"),
        ({"role": r.DELEGAT}, "ges av delegationsordningen"),
        ({"object_id": 987654321}, "Det finns inget organ med id 987654321"),
    ],
    ids=["felstavad", "gemener", "delegat", "inget-organ"],
)
def test_a_role_on_an_organ_that_is_no_role_or_on_no_organ_is_refused(
    superanvandare, cast, andra, meddelande
):
    """The admin kept any word as a role on an organ, and any number as the organ: a
    misspelt Stabschef gave nothing and said nothing, and a Delegat given by hand let its
    holder read the nämnd's secret ärenden with no row in the delegationsordning behind it
    (the login's role mapping has always refused a role it does not know)."""
    ny = factories.user("ny-stabschef")
    fore = LocalRole.objects.count()
    svar = superanvandare.post(NY, _pa_organ(cast.organ, ny, **andra))
    assert svar.status_code == 200
    assert meddelande in svar.content.decode()
    assert LocalRole.objects.count() == fore


def test_a_delegat_role_from_the_delegationsordning_is_not_changed_or_removed_here(
    superanvandare, cast
):
    from workflow import roles as workflow_roles

    delegat = factories.user("delegat")
    workflow_roles.grant(cast.organ, r.DELEGAT, user=delegat)
    roll = LocalRole.objects.get(user=delegat, role=r.DELEGAT)
    andra = f"{LISTA}{roll.pk}/change/"
    svar = superanvandare.post(
        andra, _pa_organ(cast.organ, delegat, r.DELEGAT, valid_until="2030-01-01")
    )
    assert svar.status_code == 403
    assert superanvandare.post(f"{LISTA}{roll.pk}/delete/", {"post": "yes"}).status_code == 403
    roll.refresh_from_db()
    assert roll.valid_until is None
