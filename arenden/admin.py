"""The administration's configuration of the diarium: the klassificeringsstruktur and the
dokumenthanteringsplan (what is kept and what is gallrat, and when). Records of gallring are
read only: they are the proof of what was removed."""

from django import forms
from django.contrib import admin
from django.db.models import Count, F
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from arenden.arkiv.models import Bevarande, GallradHandling, Gallringsbeslut, Klass
from arenden.delegering.models import Delegationspunkt
from arenden.diarium.models import Arende
from arenden.dokument.arkivering import Arkivering
from arenden.dokument.jobb import MisslyckatDokument
from arenden.gemensamt import utskick
from arenden.gemensamt.utskick import Utskick
from arenden.organisation import roles
from arenden.organisation.models import Organ
from workflow.admin import LocalRoleAdmin, LocalRoleForm, ReadOnly, ReadOnlyHistoryAdmin
from workflow.models import LocalRole


class BevarandeRad(admin.TabularInline):
    model = Bevarande
    extra = 0


class KlassForm(forms.ModelForm):
    """The klass with the version it was read at: saved over a newer one, the form is
    refused (another's change to the klass or its rows of the plan is never lost unseen)."""

    last_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Klass
        fields = ("kod", "namn", "overordnad", "beskrivning", "arendetyper")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["last_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            # the row is locked until the admin's transaction ends, rows of the plan and all
            nu = (
                Klass.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if cleaned.get("last_version") != nu:
                raise forms.ValidationError(
                    _(
                        "Klassen eller dess rader i dokumenthanteringsplanen har ändrats av "
                        "någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen "
                        "igen."
                    ),
                    code="inaktuell",
                )
        return cleaned


@admin.register(Klass)
class KlassAdmin(ReadOnlyHistoryAdmin):
    """The klassificeringsstruktur and, per klass, its rows of the dokumenthanteringsplan.
    Every change is in the field history (the admin's "Historik"), by whom and when; a form
    read before another's change is refused."""

    form = KlassForm
    list_display = ("kod", "namn", "overordnad")
    search_fields = ("kod", "namn")
    inlines = [BevarandeRad]

    def get_deleted_objects(self, objs, request):
        """A klass that ärenden are registered under is not deleted: they hold its kod
        (``Arende.klassificering``, no foreign key), and the gallring and the archive find
        their klass by it. They are listed as what protects it, on the single and the bulk
        deletion alike."""
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        koder = [k.kod for k in objs]
        anvanda = (
            Arende.objects.filter(klassificering__in=koder)
            .values_list("klassificering")
            .annotate(antal=Count("pk"))
            .order_by("klassificering")
        )
        protected = [
            *protected,
            *(
                ngettext(
                    "Klassen %(kod)s: %(antal)s ärende är registrerat under den",
                    "Klassen %(kod)s: %(antal)s ärenden är registrerade under den",
                    antal,
                )
                % {"kod": kod, "antal": antal}
                for kod, antal in anvanda
            ),
        ]
        return deleted, counts, perms, protected

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            # only its rows of the plan change (saved next, each with its history): the klass
            # is not saved again, its version alone moves on
            Klass.objects.filter(pk=obj.pk).update(version=F("version") + 1)
            return
        if change:
            obj.version = F("version") + 1
        super().save_model(request, obj, form, change)
        obj.refresh_from_db(fields=["version"])


@admin.register(Bevarande)
class BevarandeAdmin(ReadOnly, ReadOnlyHistoryAdmin):
    """The rows of the dokumenthanteringsplan, each with its history; read only here (they
    are changed on their klass, under its version)."""

    list_display = ("klass", "handlingstyp", "bevaras", "gallringsfrist_ar")
    list_filter = ("bevaras",)
    search_fields = ("klass__kod", "klass__namn")


class GallradRad(admin.TabularInline):
    model = GallradHandling
    extra = 0
    can_delete = False
    readonly_fields = (
        "handling",
        "beteckning",
        "titel",
        "typ",
        "datum",
        "filnamn",
        "sha256",
        "storlek",
    )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Gallringsbeslut)
class GallringsbeslutAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("genomfort", "beslut", "genomfort_av")
    readonly_fields = ("beslut", "genomfort", "genomfort_av")
    inlines = [GallradRad]


@admin.register(MisslyckatDokument)
class MisslyckatDokumentAdmin(ReadOnly, admin.ModelAdmin):
    """The documents a worker failed to make, for the operator; read only (the row goes
    when the document is made)."""

    list_display = ("senast", "nyckel", "forsok", "senaste_fel")
    fields = readonly_fields = ("nyckel", "forsok", "senaste_fel", "senast")


@admin.register(Arkivering)
class ArkiveringAdmin(ReadOnly, admin.ModelAdmin):
    """The filings the steps drew up, for the operator to see what waits and what failed;
    read only (``manage.py arkivera --igen`` tries a failed one again). What a filing says
    (``mal``) is not shown: it may hold secret text, and the filed documents are where it is
    read, by whom may (OSL 5 kap. 5 §)."""

    list_display = ("skapad", "sammantrade", "slag", "version", "klar", "forsok", "senaste_fel")
    list_select_related = ("sammantrade__organ",)
    list_filter = ("slag", ("klar", admin.EmptyFieldListFilter))
    fields = readonly_fields = (
        "sammantrade",
        "slag",
        "version",
        "user",
        "skapad",
        "klar",
        "forsok",
        "senast_forsokt",
        "senaste_fel",
    )

    def get_queryset(self, request):
        # the snapshot may be large and is never shown; nor read
        return super().get_queryset(request).defer("mal")


@admin.register(Utskick)
class UtskickAdmin(ReadOnly, admin.ModelAdmin):
    """The outbox, for the operator to see what was sent and what the mail server refused;
    read only (``manage.py skicka_utskick`` sends). A row's subject and text carry what its
    e-mail may carry, the diarienummer and public rubrik, as they read when it was written;
    an ärende marked since (whose public rubrik was its mening while it was open) is not
    public any more, so the subject and text of a row that names an ärende marked now, or
    that was replaced because of a marking, are neither shown nor searched
    (:attr:`~arenden.gemensamt.utskick.Utskick.dold`, OSL 5 kap. 5 §). The admin asks
    nobody's need to know; the e-mail that replaced it is shown as it reads."""

    list_display = ("skapad", "visat_amne", "forsok", "skickad", "aterkallad", "senaste_fel")
    list_filter = (
        ("skickad", admin.EmptyFieldListFilter),
        ("aterkallad", admin.EmptyFieldListFilter),
    )
    search_fields = ("amne",)
    fields = readonly_fields = (
        "skapad",
        "till",
        "dold_kopia",
        "visat_amne",
        "visad_text",
        "arenden",
        "bilaga_namn",
        "forsok",
        "tagen",
        "skickad",
        "aterkallad",
        "aterkallad_skal",
        "ersatt_av",
        "senaste_fel",
    )

    def get_queryset(self, request):
        return utskick.med_dold(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        rader, dubbletter = super().get_search_results(request, queryset, search_term)
        if search_term:
            # a match in a hidden subject would say what it holds
            rader = rader.filter(dold_nu=False)
        return rader, dubbletter

    @admin.display(description=_("ämne"))
    def visat_amne(self, obj):
        return utskick.DOLT if obj.dold else obj.amne

    @admin.display(description=_("text"))
    def visad_text(self, obj):
        return utskick.DOLT if obj.dold else obj.text


@admin.register(Delegationspunkt)
class DelegationspunktAdmin(ReadOnly, admin.ModelAdmin):
    """A nämnd's delegationsordning as the nämnd adopted it (KL 6 kap. 37–38 §§), read only:
    the nämndsekreterare keeps it on the organ's page (``/organ/<kod>/delegationsordning/``),
    through the services that check each row and end it by a date under its lock. An edit
    here would pass by them: a form read before the row was ended would set its "gäller
    till" back and make the delegation live again, unseen. A row is never deleted, so the
    beslut taken under it keep their ground."""

    list_display = (
        "organ",
        "nummer",
        "beslutsomrade",
        "delegat",
        "befattning",
        "giltig_fran",
        "giltig_till",
    )
    list_filter = ("organ",)
    search_fields = ("nummer", "beslutsomrade", "befattning", "antagen_genom")


# An API key is made by ``manage.py api_nyckel`` only, which gives none to an administrator:
# a key made here for someone else would let whoever made it read as that person, and the
# log of reads of secret content would name the wrong reader (OSL 5 kap. 5 §). The admin
# neither shows the keys nor makes them.
import rest_framework.authtoken.admin  # noqa: E402, F401  registers it first, to unregister
from rest_framework.authtoken.models import TokenProxy  # noqa: E402

if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


class RollForm(LocalRoleForm):
    """A local role given in the admin: on an object that exists, and on an organ one of the
    organisation's roles (:data:`arenden.organisation.roles.ALL`, those the login's role
    mapping gives, ``arenden.konto.sso``): a misspelt role gives nothing and says nothing.
    Delegat is not among them: it follows the rows of the delegationsordning
    (:func:`arenden.delegering.models.ge_delegatroll`), and one given by hand would let its
    holder read the nämnd's secret ärenden with no delegation behind it (OSL need to know)."""

    def clean(self):
        data = super().clean()
        typ, id_, roll = data.get("content_type"), data.get("object_id"), data.get("role")
        model = typ.model_class() if typ is not None else None
        if model is not None and id_ is not None and not model._default_manager.filter(pk=id_):
            self.add_error(
                "object_id",
                _("Det finns inget %(vad)s med id %(id)s.")
                % {"vad": model._meta.verbose_name, "id": id_},
            )
        if model is Organ and roll:
            if roll == roles.DELEGAT:
                self.add_error(
                    "role",
                    _(
                        "Rollen Delegat ges av delegationsordningen, för de perioder dess rader "
                        "gäller, aldrig här."
                    ),
                )
            elif roll not in roles.ALL:
                self.add_error(
                    "role",
                    _("%(roll)s är ingen roll. Rollerna är %(roller)s.")
                    % {"roll": roll, "roller": ", ".join(roles.ALL)},
                )
        return data


def _av_delegationsordningen(obj) -> bool:
    return obj is not None and obj.role == roles.DELEGAT and obj.content_type.model_class() is Organ


class RollAdmin(LocalRoleAdmin):
    """The engine's admin of local roles, with the domain's rules for a role on an organ
    (:class:`RollForm`); a Delegat's role is read here, changed and ended with the rows of
    the delegationsordning."""

    form = RollForm

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _av_delegationsordningen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _av_delegationsordningen(obj)


admin.site.unregister(LocalRole)
admin.site.register(LocalRole, RollAdmin)
