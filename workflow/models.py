"""The engine's tables: local roles (Plone's sharing) and the append-only workflow history,
plus the abstract mixins that domain models use to take part."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField
from django_fsm import transition as fsm_transition
from simple_history.models import HistoricalRecords

from . import hashing
from .context import current_actor, history_user
from .fieldhistory import SignedHistory


class LocalRolesMixin(models.Model):
    """An object on which roles can be given locally (and inherited by what it contains).

    ``local_roles_parent`` names the foreign key to the container whose local roles this
    object inherits (an organ for an ärende); ``block_local_roles`` stops that inheritance.
    """

    local_roles_parent: str | None = None

    block_local_roles = models.BooleanField(
        gettext_lazy("blockera ärvda lokala roller"),
        default=False,
        help_text=gettext_lazy(
            "Roller som getts på överordnat objekt gäller inte här när detta är ikryssat."
        ),
    )

    class Meta:
        abstract = True

    def get_local_roles_parent(self):
        if self.local_roles_parent is None:
            return None
        return getattr(self, self.local_roles_parent)


class WorkflowError(Exception):
    """Base class of everything the engine refuses; the message is for the user (Swedish)."""


class ProtectedStateError(WorkflowError):
    pass


class WorkflowMixin(ConcurrentTransitionMixin, LocalRolesMixin):
    """A model whose ``state`` only the engine changes (``workflow.engine.do_transition``).

    The state field is protected by django-fsm-2: assigning it raises, and a save of an
    instance whose state no longer matches the database (a stale copy, a simple-history
    revert) fails instead of moving the state. New objects start in the initial state of the
    workflow that governs them, and that start is the first entry of their history.
    """

    state = FSMField(
        gettext_lazy("status"), default="", protected=True, db_index=True, editable=False
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            return super().save(*args, **kwargs)
        from .registry import workflow_for

        wf = workflow_for(self)
        if self.state and self.state != wf.initial_state:
            raise ProtectedStateError(
                _("Ett nytt objekt börjar alltid i starttillståndet %(state)s")
                % {"state": wf.initial_state}
            )
        self.__dict__["state"] = wf.initial_state
        # an id the database has just given out has no history yet; an id set by the caller
        # may (an object re-created with its old id), and its chain is continued
        fresh_id = self.pk is None
        with transaction.atomic():
            super().save(*args, **kwargs)
            from .engine import record_creation

            actor = getattr(self, "_history_user", None) or current_actor()
            record_creation(self, wf, actor, fresh_id=fresh_id)

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        """Read the row afresh. django-fsm's own refresh_from_db lifts the protection of the
        state field on the field itself, which every instance and every thread shares, while
        it runs, and sets it again after: a thread reading afresh at the same moment (one
        waiting for a row lock, say) finds the field protected again halfway and fails. Here
        nothing shared moves: the state is taken out of the instance first, so that Django
        sets it as on a fresh load."""
        alla = fields is None
        if alla:
            deferred = self.get_deferred_fields()
            fields = [f.attname for f in self._meta.concrete_fields if f.attname not in deferred]
        fields = list(fields)
        # Django sets the state also when other fields are asked for (django-fsm keeps it
        # loaded): out of the instance, so that setting it is a load, never a change
        self.__dict__.pop("state", None)
        models.Model.refresh_from_db(self, using=using, fields=fields, from_queryset=from_queryset)
        if alla:  # what Django forgets when asked for every field: what was read with the row
            self._prefetched_objects_cache = {}
            for rel in (*self._meta.related_objects, *self._meta.private_fields):
                if rel.is_relation and rel.is_cached(self):
                    rel.delete_cached_value(self)
        self._update_initial_state()

    @property
    def status_titel(self) -> str:
        """The state's title in the governing workflow (Registrerat, Kallat …)."""
        from .registry import workflow_for

        state = workflow_for(self).states.get(self.state)
        return str(state.title) if state else self.state

    @fsm_transition(field="state", source="*", target=RETURN_VALUE())
    def _workflow_set_state(self, target: str) -> str:
        # The one django-fsm-2 transition every workflow runs through; only the engine calls
        # it, after the guard has passed and with the row locked.
        return target


class LocalRoleQuerySet(models.QuerySet):
    def in_force(self, day=None):
        """The roles that hold on ``day`` (today, in the site's time zone): those whose first
        day has come (or that have none) and whose last day has not passed (or that have
        none)."""
        day = day or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )


class GroupMembership(models.Model):
    """A user's membership of a group: a role for the whole organisation (Registrator,
    Revisor …). Mirrored from Django's user–group table as it changes (workflow.roles), so
    that each membership given or taken away has a signed field-history row naming who did it
    and when, as a local role has: that table keeps no history of its own."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=gettext_lazy("användare"),
    )
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="+", verbose_name=gettext_lazy("grupp")
    )
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = gettext_lazy("gruppmedlemskap")
        verbose_name_plural = gettext_lazy("gruppmedlemskap")
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="groupmembership_unique")
        ]

    def __str__(self):
        return f"{self.user}: {self.group}"


class LocalRole(models.Model):
    """A role given to one user or one group on one object (Plone's sharing tab), for good or
    for a period, from a first day (``valid_from``) up to and including a last day
    (``valid_until``): a role that follows from a record with a period, such as a delegation,
    starts and ends with it without anyone having to give it or take it away. A principal may
    hold one role on one object for several periods, one row each."""

    # the single-column indexes foreign keys get by default are left out where one of the
    # composite indexes below starts with the same column
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, db_index=False)
    object_id = models.BigIntegerField()
    role = models.CharField(gettext_lazy("roll"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="local_roles",
        verbose_name=gettext_lazy("användare"),
        db_index=False,
    )
    group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="local_roles",
        verbose_name=gettext_lazy("grupp"),
        db_index=False,
    )
    granted_at = models.DateTimeField(gettext_lazy("given"), default=timezone.now)
    valid_from = models.DateField(gettext_lazy("gäller från och med"), null=True, blank=True)
    valid_until = models.DateField(gettext_lazy("gäller till och med"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("given av"),
    )
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    objects = LocalRoleQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("lokal roll")
        verbose_name_plural = gettext_lazy("lokala roller")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False, group__isnull=True))
                | (Q(user__isnull=True, group__isnull=False)),
                name="localrole_user_xor_group",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lte=models.F("valid_until")),
                name="localrole_period",
            ),
            # one row per principal, role, object and first day; a NULL first day is not
            # distinct from another in these two, so a role for good is given once
            models.UniqueConstraint(
                fields=["content_type", "object_id", "role", "user"],
                condition=Q(user__isnull=False, valid_from__isnull=True),
                name="localrole_unique_user",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "role", "group"],
                condition=Q(group__isnull=False, valid_from__isnull=True),
                name="localrole_unique_group",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "role", "user", "valid_from"],
                condition=Q(user__isnull=False, valid_from__isnull=False),
                name="localrole_unique_user_period",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "role", "group", "valid_from"],
                condition=Q(group__isnull=False, valid_from__isnull=False),
                name="localrole_unique_group_period",
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="localrole_object"),
            models.Index(fields=["user", "content_type", "role"], name="localrole_user"),
            models.Index(fields=["group", "content_type", "role"], name="localrole_group"),
        ]

    def __str__(self):
        who = self.user or self.group
        return f"{self.role}: {who} på {self.content_type.model} {self.object_id}"


class HistoryImmutable(WorkflowError):
    pass


class WorkflowHistoryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise HistoryImmutable(_("Arbetsflödeshistoriken kan inte ändras."))

    def delete(self):
        raise HistoryImmutable(_("Arbetsflödeshistoriken kan inte raderas."))

    def bulk_update(self, *args, **kwargs):
        raise HistoryImmutable(_("Arbetsflödeshistoriken kan inte ändras."))

    def for_object(self, obj):
        ct = ContentType.objects.get_for_model(obj)
        return self.filter(content_type=ct, object_id=obj.pk)


class WorkflowHistory(models.Model):
    """One step in an object's life, chained by SHA-256 to the step before it and signed
    with a key the database does not hold (``key_id``, ``mac``).

    Append-only: saving an existing row or deleting one raises here, and on PostgreSQL a
    trigger refuses UPDATE and DELETE as well. ``manage.py verify_history`` recomputes the
    chains.
    """

    # Indexes: the unique (content_type, object_id, seq) serves each object's chain, the
    # composite (actor, timestamp) the audit log by person; single-column indexes on the
    # foreign keys would only duplicate them, slow every append and, on a table that has not
    # been analysed yet, tempt PostgreSQL to scan a whole content type for one object.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False)
    object_id = models.BigIntegerField()
    seq = models.PositiveIntegerField(gettext_lazy("löpnummer"))
    workflow = models.CharField(gettext_lazy("arbetsflöde"), max_length=100)
    transition = models.CharField(gettext_lazy("övergång"), max_length=100, blank=True)
    from_state = models.CharField(gettext_lazy("från status"), max_length=50, blank=True)
    to_state = models.CharField(gettext_lazy("till status"), max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("utförd av"),
        db_index=False,
    )
    actor_name = models.CharField(gettext_lazy("användarnamn"), max_length=150, blank=True)
    roles = models.JSONField(gettext_lazy("roller i sammanhanget"), default=list)
    timestamp = models.DateTimeField(gettext_lazy("tidpunkt"))
    comment = models.TextField(gettext_lazy("kommentar"), blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    # the HMAC of the hash under a key kept outside the database (workflow.hashing), and the
    # id of that key: what a database administrator cannot recompute
    key_id = models.CharField(gettext_lazy("nyckel"), max_length=32, blank=True)
    mac = models.CharField(max_length=64, blank=True)

    objects = WorkflowHistoryQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("arbetsflödeshändelse")
        verbose_name_plural = gettext_lazy("arbetsflödeshistorik")
        ordering = ["content_type", "object_id", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "seq"], name="workflowhistory_unique_seq"
            ),
            # a constraint rather than unique=True: PostgreSQL then gets no second,
            # pattern-matching (LIKE) index on the hash that nothing would use
            models.UniqueConstraint(fields=["hash"], name="workflowhistory_unique_hash"),
        ]
        indexes = [
            models.Index(fields=["actor", "timestamp"], name="workflowhistory_actor"),
            # the audit log by person: the name as recorded, within a period
            models.Index(fields=["actor_name", "timestamp"], name="workflowhistory_actor_name"),
            models.Index(fields=["timestamp"], name="workflowhistory_time"),
            models.Index(fields=["transition", "timestamp"], name="workflowhistory_transition"),
        ]

    def __str__(self):
        return f"{self.content_type.model} {self.object_id} #{self.seq}: {self.transition}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise HistoryImmutable(_("Arbetsflödeshistoriken kan inte ändras."))
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryImmutable(_("Arbetsflödeshistoriken kan inte raderas."))

    def sign(self) -> None:
        """Hash the entry and sign the hash with the current key."""
        self.hash = self.compute_hash()
        self.key_id, key = hashing.current_key()
        self.mac = hashing.entry_mac(key, self.key_id, self.hash)

    def compute_hash(self) -> str:
        return hashing.entry_hash(
            model_label=f"{self.content_type.app_label}.{self.content_type.model}",
            object_id=self.object_id,
            seq=self.seq,
            workflow=self.workflow,
            transition=self.transition,
            from_state=self.from_state,
            to_state=self.to_state,
            actor_id=self.actor_id,
            actor_name=self.actor_name,
            roles=self.roles,
            timestamp=self.timestamp,
            comment=self.comment,
            prev_hash=self.prev_hash,
        )
