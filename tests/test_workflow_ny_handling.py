"""A step that says a record was made needs a record its history does not yet account for
(workflow.definitions.NewRecord), and a requirement can say from the object what is missing
(``Requirement.explain``): the engine's rules, on the example workflow, whoever takes the step."""

import json

import pytest

from tests.exampleapp.models import Document
from workflow import export, registry
from workflow.context import acting_as
from workflow.definitions import Guard, NewRecord, Requirement, Transition
from workflow.engine import RequirementMissing, TransitionNotAllowed, do_transition
from workflow.models import WorkflowHistory

#: a record: the document's text corrected by someone (its field history, with this reason)
RATTAD = "rättad"


def rattelser(doc):
    return Document.history.filter(id=doc.pk, history_change_reason=RATTAD)


def ratta(doc, user):
    with acting_as(user):
        doc._change_reason = RATTAD
        doc.title += "."
        doc.save()


NOTERA = Transition(
    "notera",
    "Notera rättelse",
    ("utkast",),
    None,
    guard=Guard(roles="Författare"),
    requires=(Requirement(NewRecord(rattelser, "notera"), "ingen ny rättelse"),),
)
SIGNERA = Transition(
    "signera",
    "Signera rättelse",
    ("utkast",),
    None,
    guard=Guard(
        roles=("Författare", "Granskare"),
        condition=NewRecord(rattelser, "signera", actor_field="history_user_id"),
        condition_message="du har ingen egen rättelse att signera",
    ),
)


@pytest.fixture
def arbete(dokument_med, make_user, make_document):
    dokument_med(NOTERA, SIGNERA)
    anna = make_user("anna", "Författare")
    bertil = make_user("bertil", "Granskare")
    return anna, bertil, make_document(creator=anna)


def _notera(doc, user):
    do_transition(doc, "notera", user)
    doc.refresh_from_db()


@pytest.mark.django_db
def test_each_record_is_accounted_for_by_one_step(arbete):
    anna, bertil, doc = arbete
    with pytest.raises(RequirementMissing, match="Notera rättelse går inte ännu: ingen ny"):
        _notera(doc, anna)
    ratta(doc, bertil)
    _notera(doc, anna)
    with pytest.raises(RequirementMissing, match="ingen ny rättelse"):
        _notera(doc, anna)
    ratta(doc, bertil)
    ratta(doc, bertil)
    _notera(doc, anna)
    _notera(doc, anna)
    with pytest.raises(RequirementMissing):
        _notera(doc, anna)
    assert WorkflowHistory.objects.for_object(doc).filter(transition="notera").count() == 3


@pytest.mark.django_db
def test_steps_of_another_transition_do_not_account_for_the_record(arbete):
    """Whoever signs, the step *notera* still has its record to account for, and the other
    way round: each transition counts its own steps."""
    anna, _bertil, doc = arbete
    ratta(doc, anna)
    do_transition(doc, "signera", anna)
    doc.refresh_from_db()
    _notera(doc, anna)
    steg = WorkflowHistory.objects.for_object(doc).exclude(transition="")
    assert sorted(steg.values_list("transition", flat=True)) == ["notera", "signera"]


@pytest.mark.django_db
def test_a_record_is_accounted_for_in_the_name_of_who_made_it(arbete):
    """With ``actor_field``, only the one who made the record takes the step for it, once:
    the entry is signed in their name."""
    anna, bertil, doc = arbete
    ratta(doc, anna)
    with pytest.raises(TransitionNotAllowed, match="du har ingen egen rättelse att signera"):
        do_transition(doc, "signera", bertil)
    do_transition(doc, "signera", anna)
    doc.refresh_from_db()
    with pytest.raises(TransitionNotAllowed, match="du har ingen egen rättelse att signera"):
        do_transition(doc, "signera", anna)
    ratta(doc, bertil)
    do_transition(doc, "signera", bertil)
    signerat = WorkflowHistory.objects.for_object(doc).filter(transition="signera")
    assert sorted(signerat.values_list("actor__username", flat=True)) == ["anna", "bertil"]


@pytest.mark.django_db
def test_a_requirement_explains_its_refusal_from_the_object(dokument_med, make_user, make_document):
    """``explain`` says what is missing in this case; an empty answer gives the rule's text,
    and nothing is asked when the check holds."""
    fragor = []

    def forklara(doc):
        fragor.append(doc.pk)
        return f"dokumentet {doc.title} är inte granskat" if doc.kind == "vanlig" else ""

    dokument_med(
        Transition(
            "skicka_in",
            "Skicka in",
            "utkast",
            "granskning",
            guard=Guard(roles="Författare"),
            requires=(
                Requirement(
                    lambda doc: doc.reviewed, "ett dokument granskas först", explain=forklara
                ),
            ),
        )
    )
    anna = make_user("anna", "Författare")
    vanligt = make_document("Plan", creator=anna)
    sarskilt = make_document("Avtal", creator=anna, kind="särskild")
    with pytest.raises(RequirementMissing) as nekat:
        do_transition(vanligt, "skicka_in", anna)
    assert str(nekat.value) == "Skicka in går inte ännu: dokumentet Plan är inte granskat."
    with pytest.raises(RequirementMissing) as nekat:
        do_transition(sarskilt, "skicka_in", anna)
    assert str(nekat.value) == "Skicka in går inte ännu: ett dokument granskas först."
    assert fragor == [vanligt.pk, sarskilt.pk]
    Document.objects.filter(pk=vanligt.pk).update(reviewed=True)
    vanligt.refresh_from_db()
    do_transition(vanligt, "skicka_in", anna)
    assert fragor == [vanligt.pk, sarskilt.pk]
    vanligt.refresh_from_db()
    assert vanligt.state == "granskning"


def test_export_names_the_record_check_and_the_explanation(dokument_med):
    dokument_med(NOTERA, SIGNERA)
    data = json.loads(export.to_json(registry.get_workflow("dokument")))
    steg = {t["id"]: t for t in data["transitions"]}
    assert steg["notera"]["requires"] == [
        {"check": "new_record_for_notera", "missing": "ingen ny rättelse"}
    ]
    assert steg["signera"]["guard"]["condition"] == "new_record_for_signera"
    explained = Requirement(bool, "saknas", explain=export.to_json)
    assert explained.as_dict() == {"check": "bool", "missing": "saknas", "explain": "to_json"}


class Steg(str):
    """A step's id of another kind than str (flows.namn's are StrEnum members)."""


def test_a_new_record_check_is_named_for_its_steps_and_keeps_what_it_was_given():
    """Built here, not at import, so that what it keeps is what this test reads."""
    kontroll = NewRecord(rattelser, "notera", Steg("signera"))
    assert kontroll.records is rattelser
    assert kontroll.transitions == ("notera", "signera")
    assert all(type(t) is str for t in kontroll.transitions)
    assert kontroll.actor_field == ""
    assert kontroll.__name__ == kontroll.__qualname__ == "new_record_for_notera_signera"


@pytest.mark.django_db
def test_records_given_as_a_count_and_steps_taken_by_anyone(arbete):
    """``records`` may give a number; without ``actor_field`` a step counts whoever took it."""
    anna, bertil, doc = arbete
    tva = NewRecord(lambda doc: 2, "notera")
    assert tva(doc) and tva(doc, bertil)
    ratta(doc, bertil)
    _notera(doc, anna)
    # anna's step counts against bertil's question too: one of two accounted for
    assert tva(doc, bertil) and not NewRecord(lambda doc: 1, "notera")(doc, bertil)
    assert list(tva.taken(doc, bertil)) == [] and tva.taken(doc, anna).count() == 1


@pytest.mark.django_db
def test_a_guard_asked_for_nobody_counts_the_records_made_by_nobody(arbete):
    """A condition is asked with no user for a step the system takes: the records made by no
    one against every step taken."""
    anna, bertil, doc = arbete
    egna = NewRecord(rattelser, "signera", actor_field="history_user_id")
    assert not egna(doc, None)
    doc._change_reason = RATTAD  # corrected with nobody acting (a job)
    doc.save()
    assert egna(doc, None) and not egna(doc, anna)
