"""Who may do what outside the workflow's map, kept as a record nobody can quietly alter.

Django answers ``user.has_perm(perm)`` without an object from three tables with no history of
their own: an account's flags (``is_superuser``, ``is_staff``, ``is_active``), the
permissions given to an account, and those given to a group. Here they read the revisor's
granskningslogg (``workflow.view_workflowhistory``) and register ärenden
(``arenden.add_arende``). A row written beside the system gave such a right with no trace.

- An account (``auth.User``) has a signed field history: every change of a flag or a name
  is a row naming who and when, and ``verify_history`` compares the accounts with it
  (workflow.fieldhistory.compare_live). The password's hash and the time of the last login
  are not kept: the one is a secret, the other changes at every login
  (:func:`inloggad`).
- Each permission given to an account or a group is mirrored in a :class:`Tilldelning`, saved
  or deleted one by one as Django's tables change, each with its signed history row; the
  permissions are read from these (:class:`Behorighetsregister`), as the roles are read from
  the signed memberships (workflow.roles). A row put in Django's tables beside the system
  gives nothing, and :func:`avvikelser` reports it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.db.models.signals import m2m_changed
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history import register as simple_history_register
from simple_history.models import HistoricalRecords

from workflow.context import history_user
from workflow.fieldhistory import SignedHistory
from workflow.models import GroupMembership

User = get_user_model()

#: what an account's history does not keep (see the module's text)
EJ_I_HISTORIKEN = ["password", "last_login"]

simple_history_register(
    User,
    app="arenden",
    bases=[SignedHistory],
    excluded_fields=EJ_I_HISTORIKEN,
    get_user=history_user,
    user_related_name="+",
)


class Tilldelning(models.Model):
    """One Django permission given to one account or one group, mirrored from Django's
    tables (``auth_user_user_permissions``, ``auth_group_permissions``) as the system
    changes them, so that each has a signed history row."""

    anvandare = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("användare"),
    )
    grupp = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("grupp"),
    )
    behorighet = models.ForeignKey(
        Permission, on_delete=models.CASCADE, related_name="+", verbose_name=_("behörighet")
    )
    #: the permission by name ("app_label.codename"), as it was given: the foreign key is an
    #: id, and Django's table of permissions has no history, so a permission renamed there
    #: (the revisor's right swapped with the registrator's) would hand the right to whoever
    #: held the id with nothing in the signed history changed; :func:`avvikelser` compares it
    behorighet_kod = models.CharField(
        _("behörighetens namn"), max_length=255, blank=True, default="", editable=False
    )
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("tilldelad behörighet")
        verbose_name_plural = _("tilldelade behörigheter")
        constraints = [
            models.CheckConstraint(
                condition=Q(anvandare__isnull=True) ^ Q(grupp__isnull=True),
                name="tilldelning_en_mottagare",
            ),
            models.UniqueConstraint(
                fields=["anvandare", "behorighet"], name="tilldelning_unik_for_anvandare"
            ),
            models.UniqueConstraint(
                fields=["grupp", "behorighet"], name="tilldelning_unik_for_grupp"
            ),
        ]

    def __str__(self):
        return f"{self.anvandare or self.grupp}: {self.behorighet.codename}"

    def save(self, *args, **kwargs):
        self.behorighet_kod = behorighetens_kod(self.behorighet_id)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "behorighet_kod"}
        super().save(*args, **kwargs)


def behorighetens_kod(behorighet_id: int) -> str:
    """A permission's name as ``has_perm`` asks for it ("app_label.codename"), read now."""
    app, kod = (
        Permission.objects.filter(pk=behorighet_id)
        .values_list("content_type__app_label", "codename")
        .get()
    )
    return f"{app}.{kod}"


def _spegla(mottagare: str, kolumn: str):
    """A receiver of m2m_changed that keeps :class:`Tilldelning` as Django's table of
    ``mottagare`` ("anvandare" or "grupp", the table's column ``kolumn``) and permissions is:
    from either side, one row saved or deleted at a time so each has its history row.

    Each pair a change touches is made to agree with Django's table as it reads once that
    change is made, never with what the change meant to do: two runs at once, one giving a
    permission and one taking it away, could otherwise each write the half the other did
    not see (PostgreSQL's READ COMMITTED shows a statement what was committed when it began).
    The one taking away could delete the record of a permission given a moment before and
    leave it in Django's table with nothing giving it, or empty Django's table under a record
    that still gives it. Read afresh after its own change, whichever commits last leaves
    both as that table is."""

    def spegla(sender, instance, action, reverse, model, pk_set, **kwargs):
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if action == "post_clear":
            # every pair the record has on this side, not only those cleared: a permission
            # given while the table was being cleared may have been cleared with it
            where = (
                {"behorighet_id": instance.pk, f"{mottagare}__isnull": False}
                if reverse
                else {f"{mottagare}_id": instance.pk}
            )
            par = set(
                Tilldelning.objects.filter(**where).values_list(f"{mottagare}_id", "behorighet_id")
            )
        else:
            par = {(pk, instance.pk) if reverse else (instance.pk, pk) for pk in pk_set or ()}
        for owner_id, perm_id in sorted(par):
            where = {f"{mottagare}_id": owner_id, "behorighet_id": perm_id}
            if sender.objects.filter(
                **{f"{kolumn}_id": owner_id, "permission_id": perm_id}
            ).exists():
                Tilldelning.objects.get_or_create(**where)
            else:
                for rad in Tilldelning.objects.filter(**where):
                    rad.delete()

    return spegla


m2m_changed.connect(
    _spegla("anvandare", "user"),
    sender=User.user_permissions.through,
    dispatch_uid="konto-behorigheter-anvandare",
    weak=False,
)
m2m_changed.connect(
    _spegla("grupp", "group"),
    sender=Group.permissions.through,
    dispatch_uid="konto-behorigheter-grupp",
    weak=False,
)


class Behorighetsregister(ModelBackend):
    """Django's model backend (password, and permissions without an object) with the
    permissions read from the signed records: an account's own from its :class:`Tilldelning`
    rows, its groups' from theirs, the groups from the signed memberships."""

    def _get_user_permissions(self, user_obj):
        return Permission.objects.filter(
            pk__in=_som_de_gavs().filter(anvandare_id=user_obj.pk).values("behorighet_id")
        )

    def _get_group_permissions(self, user_obj):
        grupper = GroupMembership.objects.filter(user_id=user_obj.pk).values("group_id")
        return Permission.objects.filter(
            pk__in=_som_de_gavs().filter(grupp_id__in=grupper).values("behorighet_id")
        )


def _som_de_gavs():
    """The permissions given whose name in Django's table is still the one they were given
    as: one renamed there beside the system gives nothing (and :func:`avvikelser` reports
    it)."""
    return Tilldelning.objects.alias(
        nu=Concat("behorighet__content_type__app_label", Value("."), "behorighet__codename")
    ).filter(behorighet_kod=F("nu"))


def inloggad(sender, user, **kwargs):
    """The time of the login, written without saving the account (Django saves it, which
    would write a history row at every login): the history keeps no login times."""
    user.last_login = timezone.now()
    User._base_manager.filter(pk=user.pk).update(last_login=user.last_login)


_AVVIKER = "{vad} finns {var} men inte {dar}: ändrat i databasen utan att historiken skrevs"
_OMDOPT = (
    "behörigheten {b} heter nu {nu} men gavs som {da}: ändrad i Djangos tabell över "
    "behörigheter utan att historiken skrevs (den som fått den har nu en annan rättighet)"
)


def _par(qs, *names) -> set[tuple]:
    return set(qs.values_list(*names))


def avvikelser() -> list[tuple]:
    """Each permission or membership in Django's tables that its signed record does not have,
    and each the record has that the table does not, as (label, id, 0, 0, reason) the way
    workflow.fieldhistory.compare_live gives them (three queries for each relation), and each
    permission given whose name in Django's table is not the one it was given as, or that is
    gone from it (two queries)."""
    found = []
    namn = {
        pk: f"{app}.{kod}"
        for pk, app, kod in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    given = Tilldelning.objects.order_by("pk").values_list("pk", "behorighet_id", "behorighet_kod")
    for pk, behorighet_id, da in given:
        # a permission gone from Django's table (its grant points at nothing) reads as none
        nu = namn.get(behorighet_id, "–")
        if nu != da:
            found.append(
                (
                    "arenden.tilldelning",
                    pk,
                    0,
                    0,
                    _OMDOPT.format(b=behorighet_id, nu=nu, da=da or "–"),
                )
            )
    fall = [
        (
            "auth.user_user_permissions",
            _par(User.user_permissions.through.objects, "user_id", "permission_id"),
            _par(Tilldelning.objects.filter(grupp=None), "anvandare_id", "behorighet_id"),
            "behörigheten {b} för konto {a}",
        ),
        (
            "auth.group_permissions",
            _par(Group.permissions.through.objects, "group_id", "permission_id"),
            _par(Tilldelning.objects.filter(anvandare=None), "grupp_id", "behorighet_id"),
            "behörigheten {b} för grupp {a}",
        ),
        (
            "auth.user_groups",
            _par(User.groups.through.objects, "user_id", "group_id"),
            _par(GroupMembership.objects, "user_id", "group_id"),
            "medlemskapet i grupp {b} för konto {a}",
        ),
    ]
    for label, djangos, registrets, vad in fall:
        for par, var, dar in (
            (djangos - registrets, "i Djangos tabell", "i den signerade"),
            (registrets - djangos, "i den signerade", "i Djangos tabell"),
        ):
            for a, b in sorted(par):
                found.append(
                    (
                        label,
                        a,
                        0,
                        0,
                        _AVVIKER.format(vad=vad.format(a=a, b=b), var=var, dar=dar),
                    )
                )
    return found
