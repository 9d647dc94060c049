"""A role for the whole organisation is a group, by its name (workflow.roles): the groups
have a signed field history, so a group renamed in the database beside the system (which
would give its members another role) is found by the whole check of the history."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from arenden.organisation import roles as r
from tests import factories
from workflow import fieldhistory
from workflow import roles as workflow_roles
from workflow.history import verify

pytestmark = pytest.mark.django_db


def test_a_group_renamed_beside_the_system_is_found():
    anna = factories.user("anna", global_role=r.REGISTRATOR)
    grupp = Group.objects.get(name=r.REGISTRATOR)
    [rad] = grupp.history.all()
    assert (rad.history_type, rad.name) == ("+", r.REGISTRATOR) and rad.history_mac
    assert verify().live == []
    Group.objects.filter(pk=grupp.pk).update(name="Superrevisor")
    workflow_roles.forget(anna)
    assert "Superrevisor" in workflow_roles.global_roles(anna)  # what a rename does
    [avvikelse] = verify().live
    assert (avvikelse.model_label, avvikelse.object_id) == ("arenden.historicalgroup", grupp.pk)
    assert avvikelse.reason == (
        "raden som gäller nu har namn som historiken inte har (ändrad utan att historiken skrevs)"
    )


@pytest.fixture
def tillbaka_till_senaste():
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_groups_there_before_get_a_signed_first_row(tillbaka_till_senaste):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    fore = [("arenden", "0062_historik_for_oidc_identitet")]
    executor.migrate(fore)
    # as the model was then: without the history, which has no table yet
    executor.loader.project_state(fore).apps.get_model("auth", "Group").objects.create(
        name="Fanns före"
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("arenden", "0063_historik_for_grupper")])
    grupp = Group.objects.get(name="Fanns före")
    [rad] = grupp.history.all()
    assert rad.history_change_reason == "fanns innan historiken fördes" and rad.history_mac
    # (the whole check reads tables that later migrations make)
    assert fieldhistory.compare_live(Group.history.model) == []
