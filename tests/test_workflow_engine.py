"""The one door: guards, comments, stale state, automatic transitions, hooks and rollback,
and the history each transition leaves behind."""

import pytest
from django.db import transaction
from django_fsm import ConcurrentTransition

from tests.exampleapp.models import Document
from tests.exampleapp.workflows import dokument
from workflow import registry, roles, signals
from workflow.definitions import Guard, Transition, Workflow
from workflow.engine import (
    CommentRequired,
    StaleState,
    TransitionNotAllowed,
    allowed_transitions,
    do_transition,
    history,
)
from workflow.models import ProtectedStateError, WorkflowError

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(make_user):
    return make_user("anna", "Författare")


@pytest.fixture
def reviewer(make_user):
    return make_user("bertil", "Granskare")


@pytest.fixture
def editor(make_user):
    return make_user("cecilia", "Redaktör")


def states(doc):
    return [(h.transition, h.from_state, h.to_state) for h in history(doc)]


def test_new_object_starts_in_initial_state_and_records_who_created_it(author, make_document):
    doc = make_document(creator=author)

    assert doc.state == "utkast"
    [created] = history(doc)
    assert (created.seq, created.transition, created.to_state) == (1, "", "utkast")
    assert created.actor == author
    assert "Författare" in created.roles


def test_new_object_cannot_be_created_in_another_state(folder):
    with pytest.raises(ProtectedStateError):
        Document.objects.create(title="Genväg", folder=folder, state="publicerad")
    assert not Document.objects.exists()


def test_state_cannot_be_assigned_directly(make_document):
    doc = make_document()
    with pytest.raises(AttributeError):
        doc.state = "publicerad"
    doc.refresh_from_db()
    assert doc.state == "utkast"


def test_reading_afresh_takes_the_state_and_forgets_what_was_read_with_the_row(
    author, make_document
):
    """A copy read before a step, read afresh, has the state the step left, its fields, and
    none of what was prefetched with the old row; read afresh for one field, what was
    prefetched stays. The state stays protected throughout."""
    doc = make_document("Före", creator=author)
    gammal = Document.objects.get(pk=doc.pk)
    gammal._prefetched_objects_cache = {"bilagor": ["läst med raden"]}
    do_transition(doc, "skicka", author)
    Document.objects.filter(pk=doc.pk).update(title="Efter")
    gammal.refresh_from_db(fields=["title"])
    assert gammal.title == "Efter"
    assert gammal._prefetched_objects_cache == {"bilagor": ["läst med raden"]}
    gammal.refresh_from_db()
    assert (gammal.title, gammal.state, gammal._prefetched_objects_cache) == (
        "Efter",
        "granskning",
        {},
    )
    with pytest.raises(AttributeError):
        gammal.state = "publicerad"


def test_transition_records_actor_roles_comment_and_field_history(author, make_document):
    doc = make_document(creator=author)

    do_transition(doc, "skicka", author, comment="Klar för granskning")

    assert doc.state == "granskning"
    entry = history(doc).last()
    assert (entry.seq, entry.transition, entry.from_state, entry.to_state) == (
        2,
        "skicka",
        "utkast",
        "granskning",
    )
    assert entry.actor == author and entry.actor_name == "anna"
    assert entry.comment == "Klar för granskning"
    assert entry.roles == ["Anonymous", "Authenticated", "Författare"]
    assert entry.prev_hash == history(doc).first().hash
    field_history = doc.history.order_by("-history_id").first()
    assert field_history.state == "granskning"
    assert field_history.history_change_reason == "skicka"
    assert field_history.history_user == author


def test_role_guard_refuses_user_without_role_and_changes_nothing(reviewer, make_document):
    doc = make_document()

    with pytest.raises(TransitionNotAllowed, match="kräver någon av rollerna Författare"):
        do_transition(doc, "skicka", reviewer)

    doc.refresh_from_db()
    assert doc.state == "utkast"
    assert history(doc).count() == 1
    assert doc.history.count() == 1


def test_transition_from_wrong_state_is_refused(author, make_document):
    doc = make_document()
    with pytest.raises(TransitionNotAllowed, match="finns inte från status Utkast"):
        do_transition(doc, "godkann", author)


def test_unknown_transition_is_refused(author, make_document):
    doc = make_document()
    with pytest.raises(TransitionNotAllowed):
        do_transition(doc, "hoppa_till_slutet", author)


def test_permission_guard_follows_the_state_permission_map(
    author, reviewer, editor, make_document, make_user
):
    # publicera needs exampleapp.publish_document, which state "godkand" gives to Redaktör
    doc = make_document(kind="special")
    do_transition(doc, "skicka", author)
    do_transition(doc, "godkann", reviewer)
    assert doc.state == "godkand"  # special documents are not published automatically

    with pytest.raises(TransitionNotAllowed, match="exampleapp.publish_document"):
        do_transition(doc, "publicera", reviewer)
    # a Django model permission granted globally does not bypass the workflow's map
    assert [t.id for t in allowed_transitions(doc, editor)] == ["publicera"]
    do_transition(doc, "publicera", editor)
    assert doc.state == "publicerad"


def test_condition_guard_and_automatic_transition(author, reviewer, make_document):
    ordinary = make_document("Vanligt")
    special = make_document("Särskilt", kind="special")
    for doc in (ordinary, special):
        do_transition(doc, "skicka", author)
        do_transition(doc, "godkann", reviewer)

    assert ordinary.state == "publicerad"
    assert states(ordinary)[-2:] == [
        ("godkann", "granskning", "godkand"),
        ("publicera_direkt", "godkand", "publicerad"),
    ]
    assert history(ordinary).last().actor == reviewer
    assert special.state == "godkand"


def test_automatic_transition_cannot_be_taken_by_a_user(editor, reviewer, author, make_document):
    doc = make_document(kind="special")
    do_transition(doc, "skicka", author)
    do_transition(doc, "godkann", reviewer)
    with pytest.raises(TransitionNotAllowed, match="automatiskt"):
        do_transition(doc, "publicera_direkt", editor)


def test_stay_transition_keeps_state_and_is_recorded(author, reviewer, editor, make_document):
    doc = make_document()
    do_transition(doc, "skicka", author)
    do_transition(doc, "godkann", reviewer)

    do_transition(doc, "anteckna", editor, comment="Rättat stavfel i sammanfattningen")

    assert doc.state == "publicerad"
    assert states(doc)[-1] == ("anteckna", "publicerad", "publicerad")


def test_comment_required_transition_refuses_empty_comment(author, reviewer, make_document):
    doc = make_document()
    do_transition(doc, "skicka", author)

    with pytest.raises(CommentRequired, match="kräver en kommentar"):
        do_transition(doc, "avvisa", reviewer, comment="   ")
    assert Document.objects.get(pk=doc.pk).state == "granskning"

    do_transition(doc, "avvisa", reviewer, comment="Beslutsunderlaget saknas")
    assert doc.state == "utkast"


def test_guard_lists_any_entry_suffices_and_all_lists_must_pass(make_user, make_document):
    guard = Guard(
        roles=("Granskare", "Redaktör"),
        permissions=("exampleapp.view_document",),
        condition=lambda obj, user: obj.title != "Stoppad",
        condition_message="dokumentet är stoppat",
    )
    doc = make_document()  # utkast: view_document for Författare and Redaktör
    stopped = make_document("Stoppad")
    editor = make_user("e", "Redaktör")
    reviewer = make_user("g", "Granskare")
    author = make_user("f", "Författare")

    all_roles = roles.roles_in_context
    assert guard.failure(doc, editor, all_roles(editor, doc)) is None
    # Granskare passes the role list but lacks view_document in utkast
    assert "behörigheterna" in guard.failure(doc, reviewer, all_roles(reviewer, doc))
    # Författare has the permission but none of the roles
    assert "rollerna" in guard.failure(doc, author, all_roles(author, doc))
    assert guard.failure(stopped, editor, all_roles(editor, stopped)) == "dokumentet är stoppat"


def test_stale_object_is_refused_with_clear_error(author, reviewer, make_document):
    doc = make_document("Årsredovisning")
    do_transition(doc, "skicka", author)
    seen_by_a = Document.objects.get(pk=doc.pk)
    seen_by_b = Document.objects.get(pk=doc.pk)

    do_transition(seen_by_a, "godkann", reviewer)
    with pytest.raises(StaleState, match="Årsredovisning har redan flyttats av någon annan"):
        do_transition(seen_by_b, "avvisa", reviewer, comment="Hann inte")

    assert Document.objects.get(pk=doc.pk).state == "publicerad"
    assert [t for t, _, _ in states(doc)] == ["", "skicka", "godkann", "publicera_direkt"]


def test_saving_a_stale_copy_cannot_move_the_state_back(author, make_document):
    doc = make_document()
    stale = Document.objects.get(pk=doc.pk)
    do_transition(doc, "skicka", author)

    stale.title = "Ändrad titel"
    with pytest.raises(ConcurrentTransition):
        with transaction.atomic():
            stale.save()
    doc.refresh_from_db()
    assert (doc.state, doc.title) == ("granskning", "Dokument")


def test_ordinary_edits_keep_the_state(author, make_document):
    doc = make_document()
    do_transition(doc, "skicka", author)
    doc.title = "Ny titel"
    doc.save()
    doc.refresh_from_db()
    assert (doc.state, doc.title) == ("granskning", "Ny titel")


@pytest.fixture
def hooked_workflow():
    """Temporarily swap the example workflow for one with the given hooks."""

    def install(**hooks):
        base = dokument()
        transitions = [
            Transition(
                t.id,
                t.title,
                t.sources,
                t.target,
                guard=t.guard,
                trigger=t.trigger,
                comment_required=t.comment_required,
                **(hooks if t.id == "skicka" else {}),
            )
            for t in base.transition_list
        ]
        registry.register(
            Workflow(
                id=base.id,
                title=base.title,
                states=base.state_list,
                transitions=transitions,
                initial_state=base.initial_state,
                roles=base.roles,
                worklists=base.worklist_list,
            )
        )

    yield install
    registry.register(dokument())


def failing_hook(event):
    raise RuntimeError("krok misslyckades")


@pytest.mark.parametrize("where", ["before", "after"])
def test_failing_hook_rolls_back_everything(where, hooked_workflow, author, make_document):
    doc = make_document(creator=author)
    hooked_workflow(**{where: (failing_hook,)})

    with pytest.raises(RuntimeError, match="krok misslyckades"):
        do_transition(doc, "skicka", author)

    fresh = Document.objects.get(pk=doc.pk)
    assert fresh.state == "utkast"
    assert history(fresh).count() == 1
    assert fresh.history.count() == 1
    assert doc.state == "utkast"  # the caller's object is untouched as well


def test_hooks_see_the_event_and_may_change_the_object(hooked_workflow, author, make_document):
    seen = []

    def before(event):
        seen.append(("before", event.from_state, event.to_state, event.comment))

    def after(event):
        event.obj.reviewed = False
        seen.append(("after", event.obj.state, event.user.username))

    doc = make_document()
    hooked_workflow(before=(before,), after=(after,))
    do_transition(doc, "skicka", author, comment="Nu")
    assert seen == [("before", "utkast", "granskning", "Nu"), ("after", "granskning", "anna")]


def test_failing_signal_receiver_rolls_back(author, make_document):
    doc = make_document()

    def receiver(sender, event, **kwargs):
        raise RuntimeError("mottagaren föll")

    signals.after_transition.connect(receiver, sender=Document)
    try:
        with pytest.raises(RuntimeError):
            do_transition(doc, "skicka", author)
    finally:
        signals.after_transition.disconnect(receiver, sender=Document)
    assert Document.objects.get(pk=doc.pk).state == "utkast"
    assert history(doc).count() == 1


def test_signals_fire_in_order_with_the_event(author, make_document):
    doc = make_document()
    seen = []

    def before(sender, event, **kwargs):
        seen.append(("före", event.transition.id, Document.objects.get(pk=doc.pk).state))

    def after(sender, event, **kwargs):
        seen.append(("efter", event.transition.id, Document.objects.get(pk=doc.pk).state))

    signals.before_transition.connect(before, sender=Document)
    signals.after_transition.connect(after, sender=Document)
    try:
        do_transition(doc, "skicka", author)
    finally:
        signals.before_transition.disconnect(before, sender=Document)
        signals.after_transition.disconnect(after, sender=Document)
    assert seen == [("före", "skicka", "utkast"), ("efter", "skicka", "granskning")]


def test_automatic_loop_is_stopped(author, make_document):
    base = dokument()
    looping = Workflow(
        id=base.id,
        title=base.title,
        states=base.state_list,
        transitions=[
            *base.transition_list,
            Transition("runt", "Runt", "granskning", None, trigger="automatic"),
        ],
        initial_state=base.initial_state,
        roles=base.roles,
        worklists=base.worklist_list,
    )
    doc = make_document()
    registry.register(looping)
    try:
        with pytest.raises(WorkflowError, match="i cirkel"):
            do_transition(doc, "skicka", author)
    finally:
        registry.register(dokument())
    assert Document.objects.get(pk=doc.pk).state == "utkast"
    assert history(doc).count() == 1


def test_allowed_transitions_lists_only_what_the_user_may_do_now(
    author, reviewer, editor, make_document
):
    doc = make_document()
    assert [t.id for t in allowed_transitions(doc, author)] == ["skicka"]
    assert [t.id for t in allowed_transitions(doc, editor)] == ["arkivera"]
    assert allowed_transitions(doc, reviewer) == []
    do_transition(doc, "skicka", author)
    assert [t.id for t in allowed_transitions(doc, reviewer)] == ["godkann", "avvisa"]
    assert allowed_transitions(doc, author) == []


def test_placeful_policy_governs_secret_documents(author, editor, make_document):
    secret = make_document("Hemligt", kind="hemlig")
    ordinary = make_document("Öppet")

    assert registry.workflow_for(secret).id == "hemligt_dokument"
    assert registry.workflow_for(ordinary).id == "dokument"
    assert allowed_transitions(secret, author) == []
    with pytest.raises(TransitionNotAllowed):
        do_transition(secret, "skicka", author)
    do_transition(secret, "arkivera", editor)
    assert secret.state == "arkiverad"
    assert history(secret).last().workflow == "hemligt_dokument"


def test_anonymous_user_is_refused(make_document):
    from django.contrib.auth.models import AnonymousUser

    doc = make_document()
    with pytest.raises(TransitionNotAllowed):
        do_transition(doc, "skicka", AnonymousUser())
    assert allowed_transitions(doc, AnonymousUser()) == []


def test_inactive_user_has_no_roles(make_user, make_document):
    former = make_user("slutat", "Författare", is_active=False)
    doc = make_document()
    with pytest.raises(TransitionNotAllowed):
        do_transition(doc, "skicka", former)


def test_transition_cost_does_not_grow_with_history(
    author, reviewer, editor, make_document, django_assert_max_num_queries
):
    doc = make_document()
    for _ in range(30):
        do_transition(doc, "skicka", author)
        do_transition(doc, "avvisa", reviewer, comment="Igen")
    fresh_author = type(author).objects.get(pk=author.pk)
    with django_assert_max_num_queries(10):
        do_transition(doc, "skicka", fresh_author)


def test_field_history_is_written_as_simple_history_writes_it(
    hooked_workflow, author, make_document
):
    """The engine writes the field-history record itself (with the UPDATE and the history
    entry, one round trip on PostgreSQL): the same record, and the same signals, as a save."""
    from django.db.models.signals import post_save, pre_save
    from simple_history.signals import (
        post_create_historical_record,
        pre_create_historical_record,
    )

    doc = make_document(title="Före", creator=author)

    def retitle(event):
        event.obj.title = "Efter"

    hooked_workflow(before=(retitle,))
    heard = []

    def listen(name):
        def receiver(sender, **kwargs):
            heard.append((name, {"sender": sender, **kwargs}))

        return receiver

    receivers = {
        pre_save: listen("presave"),
        pre_create_historical_record: listen("pre"),
        post_create_historical_record: listen("post"),
        post_save: listen("saved"),
    }
    for signal, receiver in receivers.items():
        signal.connect(receiver)
    try:
        do_transition(doc, "skicka", author)
    finally:
        for signal, receiver in receivers.items():
            signal.disconnect(receiver)

    created, moved = doc.history.order_by("history_id")  # no second record from post_save
    assert (created.history_type, created.title, created.state) == ("+", "Före", "utkast")
    assert (moved.history_type, moved.title, moved.state) == ("~", "Efter", "granskning")
    assert (moved.history_user, moved.history_change_reason) == (author, "skicka")
    assert moved.history_date == history(doc).last().timestamp
    assert Document.objects.get(pk=doc.pk).title == "Efter"
    heard = [(name, kw) for name, kw in heard if kw.get("instance") == doc]
    assert [name for name, _kw in heard] == ["presave", "pre", "post", "saved"]
    assert heard[2][1]["history_instance"].pk == moved.pk
    assert heard[0][1]["sender"] is heard[3][1]["sender"] is Document  # as a save sends them
    for _name, kw in heard[1:3]:  # as simple-history itself sends them
        assert kw["sender"] is type(moved)
        assert (kw["history_user"], kw["history_change_reason"]) == (author, "skicka")
        assert (kw["history_date"], kw["using"]) == (moved.history_date, None)
    saved = heard[3][1]
    assert saved["created"] is False and {"state", "title"} <= saved["update_fields"]
    presave = heard[0][1]  # as save(update_fields=...) sends them, to a receiver of either
    assert presave["update_fields"] == saved["update_fields"]
    for kw in (presave, saved):
        assert kw["raw"] is False and kw["using"] == "default"
    # and post_save's instance is a saved row of that database, as after a save
    assert saved["instance"]._state.adding is False and saved["instance"]._state.db == "default"


@pytest.mark.parametrize("hook_skips", [False, True], ids=["no-switch", "hook-switch"])
def test_the_switch_that_keeps_post_save_from_recording_twice_is_the_engines_only_while_it_sends(
    hooked_workflow, author, make_document, hook_skips
):
    """The engine sets simple-history's switch (``skip_history_when_saving``) only while it
    sends post_save, so its own record is not written a second time. After that the object is
    as before: without the switch, so a later save of it is recorded; or, when a before-hook
    set the switch itself, with the hook's switch as the hook set it."""
    seen = []

    def skip(event):
        event.obj.skip_history_when_saving = "krokens"

    def look(event):
        seen.append(getattr(event.obj, "skip_history_when_saving", None))
        if not hook_skips:
            event.obj.title = "Efter steget"
            event.obj.save()

    hooked_workflow(before=(skip,) if hook_skips else (), after=(look,))
    doc = make_document(title="Före", creator=author)
    do_transition(doc, "skicka", author)
    assert seen == (["krokens"] if hook_skips else [None])
    titles = [h.title for h in doc.history.order_by("history_id")]
    assert titles == (["Före"] if hook_skips else ["Före", "Före", "Efter steget"])


@pytest.mark.postgres
def test_a_transition_is_one_read_and_one_write_on_postgresql(
    author, reviewer, make_document, django_assert_num_queries
):
    """The lock (with the chain's tail and the actor's roles), then the UPDATE, the field
    history and the history entry in one round trip; inside the test's transaction the
    transaction's own begin and end are a savepoint and its release."""
    doc = make_document(creator=author)
    do_transition(doc, "skicka", author)
    do_transition(doc, "avvisa", reviewer, comment="Om")
    with django_assert_num_queries(4):
        do_transition(doc, "skicka", author)


def test_with_simple_history_switched_off_no_field_history_is_written(
    author, make_document, settings
):
    doc = make_document(creator=author)
    settings.SIMPLE_HISTORY_ENABLED = False

    do_transition(doc, "skicka", author)

    assert doc.history.count() == 1  # the creation only, as a save would write nothing more
    assert [t for t, _f, _s in states(doc)] == ["", "skicka"]  # the workflow history has it
