"""The ärende's process and its tasks are read in the admin, never written or deleted there,
by a superuser either: a process moves only by the engine's steps, and a task row is the
record of who did a step (flows.admin)."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from viewflow.workflow.models import Task

from arenden.handlaggning import services as handlaggning_services
from flows.models import ArendeProcess
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def superanvandare():
    klient = Client()
    klient.force_login(User.objects.create_superuser("drift", "drift@example.se", "x"))
    return klient


def test_a_superuser_reads_a_process_and_its_tasks_but_changes_and_deletes_neither(
    superanvandare,
):
    cast = factories.Cast()
    arende = cast.registrera("Ett ärende i beredning")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    process = ArendeProcess.objects.get(arende=arende)
    uppgift = Task.objects.filter(process=process, flow_task_type="HUMAN").latest("pk")
    fore = (uppgift.owner_id, uppgift.status, uppgift.owner_permission)
    data = process.data

    for lista in ("/admin/viewflow/process/", "/admin/viewflow/task/"):
        assert superanvandare.get(lista).status_code == 200
    for url, falt in (
        (f"/admin/viewflow/process/{process.pk}/change/", {"data": '{"x": 1}'}),
        (
            f"/admin/viewflow/task/{uppgift.pk}/change/",
            {"owner": cast.stabschef.pk, "owner_permission": "", "status": "NEW"},
        ),
    ):
        sida = superanvandare.get(url)
        assert sida.status_code == 200
        assert 'name="_save"' not in sida.content.decode()  # read, no form to send
        assert superanvandare.post(url, falt).status_code == 403
    for url in (
        f"/admin/viewflow/process/{process.pk}/delete/",
        f"/admin/viewflow/task/{uppgift.pk}/delete/",
    ):
        assert superanvandare.post(url, {"post": "yes"}).status_code == 403
    uppgift.refresh_from_db()
    process.refresh_from_db()
    assert (uppgift.owner_id, uppgift.status, uppgift.owner_permission) == fore
    assert process.data == data
    assert Task.objects.filter(pk=uppgift.pk).exists()
