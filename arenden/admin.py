"""The administration's configuration of the diarium: the klassificeringsstruktur and the
dokumenthanteringsplan (what is kept and what is gallrat, and when). Records of gallring are
read only: they are the proof of what was removed."""

from django.contrib import admin

from arenden.arkiv.models import Bevarande, GallradHandling, Gallringsbeslut, Klass
from arenden.delegering.models import Delegationspunkt
from arenden.gemensamt.utskick import Utskick


class BevarandeRad(admin.TabularInline):
    model = Bevarande
    extra = 0


@admin.register(Klass)
class KlassAdmin(admin.ModelAdmin):
    list_display = ("kod", "namn", "overordnad")
    search_fields = ("kod", "namn")
    inlines = [BevarandeRad]


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
class GallringsbeslutAdmin(admin.ModelAdmin):
    list_display = ("genomfort", "beslut", "genomfort_av")
    readonly_fields = ("beslut", "genomfort", "genomfort_av")
    inlines = [GallradRad]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Utskick)
class UtskickAdmin(admin.ModelAdmin):
    """The outbox, for the operator to see what was sent and what the mail server refused;
    read only (``manage.py skicka_utskick`` sends). The bodies carry no secret text (OSL)."""

    list_display = ("skapad", "amne", "forsok", "skickad", "aterkallad", "senaste_fel")
    list_filter = (
        ("skickad", admin.EmptyFieldListFilter),
        ("aterkallad", admin.EmptyFieldListFilter),
    )
    search_fields = ("amne",)
    fields = readonly_fields = (
        "skapad",
        "till",
        "dold_kopia",
        "amne",
        "text",
        "bilaga_namn",
        "forsok",
        "skickad",
        "aterkallad",
        "aterkallad_skal",
        "senaste_fel",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delegationspunkt)
class DelegationspunktAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
