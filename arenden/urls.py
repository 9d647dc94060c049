from django.urls import path

from arenden.begaran import views as begaranvyer
from arenden.delegering import views as delegering_views
from arenden.diarium import fortsattning
from arenden.diarium import sekretess as sekretessvyer
from arenden.diarium import views as diarium_views
from arenden.granskning import views as granskning_views
from arenden.handlaggning import views as handlaggning_views
from arenden.motion import views as motion_views
from arenden.publikt import anslagstavla as publikt_anslagstavla
from arenden.publikt import postlista as publikt_postlista
from arenden.sammantraden import portal as ledamotsportal
from arenden.sammantraden import views as sammantraden_views

app_name = "arenden"

urlpatterns = [
    path("", handlaggning_views.start, name="start"),
    path("mina-arenden/", handlaggning_views.mina_arenden, name="mina_arenden"),
    path("oversikt/", handlaggning_views.oversikt, name="oversikt"),
    path("bevakning/", handlaggning_views.bevakning, name="bevakning"),
    path("motioner/", motion_views.motioner, name="motioner"),
    path("arbetslista/<slug:namn>/", handlaggning_views.arbetslista, name="arbetslista"),
    path("arende/<int:pk>/", handlaggning_views.arende, name="arende"),
    path("arende/<int:pk>/overgang/", handlaggning_views.overgang, name="overgang"),
    path("handling/<int:pk>/fil/", diarium_views.handling_fil, name="handling_fil"),
    path("arende/<int:pk>/tidslinje/", handlaggning_views.tidslinje, name="tidslinje"),
    path("arende/<int:pk>/tilldela/", handlaggning_views.tilldela_vy, name="tilldela"),
    path("arende/<int:pk>/andra/", handlaggning_views.andra_uppgifter, name="andra_arende"),
    path("arende/<int:pk>/beslut/", handlaggning_views.beslut, name="beslut"),
    path("arende/<int:pk>/anmal/", sammantraden_views.anmal, name="anmal"),
    path(
        "arende/<int:pk>/delegationsbeslut/",
        delegering_views.delegationsbeslut,
        name="delegationsbeslut",
    ),
    path(
        "organ/<str:kod>/delegationsordning/",
        delegering_views.delegationsordning,
        name="delegationsordning",
    ),
    path(
        "organ/<str:kod>/delegationsordning/<int:pk>/avsluta/",
        delegering_views.avsluta_delegationspunkt,
        name="avsluta_delegationspunkt",
    ),
    path("arende/<int:pk>/handling/ny/", diarium_views.ny_handling, name="ny_handling"),
    path(
        "arende/<int:pk>/tjansteskrivelse/",
        handlaggning_views.tjansteskrivelse,
        name="tjansteskrivelse",
    ),
    path(
        "arende/<int:pk>/tjansteskrivelse.<slug:format>",
        handlaggning_views.tjansteskrivelse_dokument,
        name="tjansteskrivelse_dokument",
    ),
    path(
        "arende/<int:pk>/tjansteskrivelse/arkivera/",
        handlaggning_views.tjansteskrivelse_arkivera,
        name="tjansteskrivelse_arkivera",
    ),
    path("arende/<int:pk>/expediera/", handlaggning_views.expediera, name="expediera"),
    path(
        "arende/<int:pk>/expediera/rattelse/",
        handlaggning_views.skicka_rattelse,
        name="skicka_rattelse",
    ),
    path("arende/<int:pk>/sandlista/", handlaggning_views.sandlista, name="sandlista"),
    path("registrera/", diarium_views.registrera, name="registrera"),
    path("uppdrag/<int:pk>/redovisa/", handlaggning_views.redovisa, name="redovisa"),
    path("arbetsflode/<slug:namn>/", handlaggning_views.arbetsflode, name="arbetsflode"),
    path("granskning/", granskning_views.auditlogg, name="auditlogg"),
    path(
        "granskning/export.<str:format>", granskning_views.auditlogg_export, name="auditlogg_export"
    ),
    path("granskning/kontroll/", granskning_views.verifiering, name="verifiering"),
    path("granskning/roller/", granskning_views.rollandringar, name="rollandringar"),
    path("sok/", handlaggning_views.sok, name="sok"),
    path("postlista/", publikt_postlista.postlista, name="postlista"),
    path("postlista/arende/<int:pk>/", publikt_postlista.publikt_arende, name="publikt_arende"),
    path("diarium/sent-registrerade/", diarium_views.sent_registrerade, name="sent_registrerade"),
    path("diarium/forslag/", fortsattning.forslag_att_registrera, name="forslag_att_registrera"),
    path("diarium/forslag/<int:pk>/", fortsattning.registrera_forslag, name="registrera_forslag"),
    path("granskning/sekretess/", sekretessvyer.sekretessatkomst, name="sekretessatkomst"),
    path("arende/<int:pk>/sekretess/", sekretessvyer.sekretess, name="sekretess"),
    path("arende/<int:pk>/begaran/ny/", begaranvyer.ny_begaran, name="ny_begaran"),
    path("begaranden/", begaranvyer.begaranden, name="begaranden"),
    path("begaran/<int:pk>/", begaranvyer.begaran, name="begaran"),
    path("sammantraden/", sammantraden_views.sammantraden, name="sammantraden"),
    path("sammantrade/<int:pk>/", sammantraden_views.sammantrade, name="sammantrade"),
    path(
        "sammantrade/<int:pk>/tidslinje/",
        sammantraden_views.tidslinje,
        name="sammantrade_tidslinje",
    ),
    path("sammantrade/<int:pk>/overgang/", sammantraden_views.mote_overgang, name="mote_overgang"),
    path("sammantrade/<int:pk>/justera/", sammantraden_views.mote_justera, name="mote_justera"),
    path(
        "sammantrade/<int:pk>/deltagare/", sammantraden_views.mote_deltagare, name="mote_deltagare"
    ),
    path(
        "sammantrade/<int:pk>/narvaro/<int:deltagare>/",
        sammantraden_views.mote_narvaro,
        name="mote_narvaro",
    ),
    path("sammantrade/<int:pk>/punkt/", sammantraden_views.mote_punkt, name="mote_punkt"),
    path("sammantrade/<int:pk>/rattelse/", sammantraden_views.mote_rattelse, name="mote_rattelse"),
    path(
        "sammantrade/<int:pk>/protokoll-<int:version>.pdf",
        sammantraden_views.mote_protokollfil,
        name="mote_protokollfil",
    ),
    path("organ/<int:pk>/ledamoter/", sammantraden_views.organ_ledamoter, name="organ_ledamoter"),
    path(
        "organ/<int:pk>/ledamoter/<int:uppdrag_pk>/",
        sammantraden_views.organ_ledamot_andra,
        name="organ_ledamot_andra",
    ),
    path(
        "sammantrade/<int:pk>/fyll-narvaro/",
        sammantraden_views.mote_fyll_narvaro,
        name="mote_fyll_narvaro",
    ),
    path(
        "rattelse/<int:pk>/signera/", sammantraden_views.rattelse_signera, name="rattelse_signera"
    ),
    path(
        "sammantrade/<int:pk>/<slug:slag>.<slug:format>",
        sammantraden_views.mote_dokument,
        name="mote_dokument",
    ),
    path("punkt/<int:pk>/stryk/", sammantraden_views.punkt_stryk, name="punkt_stryk"),
    path(
        "punkt/<int:pk>/flytta/<slug:riktning>/",
        sammantraden_views.punkt_flytta,
        name="punkt_flytta",
    ),
    path(
        "punkt/<int:pk>/justera-omedelbart/",
        sammantraden_views.punkt_justera,
        name="punkt_justera",
    ),
    path(
        "punkt/<int:pk>/tjanstgoring/",
        sammantraden_views.punkt_tjanstgoring,
        name="punkt_tjanstgoring",
    ),
    path(
        "tjanstgoring/<int:pk>/ta-bort/",
        sammantraden_views.tjanstgoring_ta_bort,
        name="tjanstgoring_ta_bort",
    ),
    path("punkt/<int:pk>/<slug:atgard>/", sammantraden_views.punkt_atgard, name="punkt_atgard"),
    path(
        "punkt/<int:pk>/utdrag.<slug:format>", sammantraden_views.punkt_utdrag, name="punkt_utdrag"
    ),
    path("mina-sammantraden/", ledamotsportal.mina_sammantraden, name="mina_sammantraden"),
    path(
        "mina-sammantraden/<int:pk>/<slug:slag>.<slug:format>",
        ledamotsportal.ledamot_dokument,
        name="ledamot_dokument",
    ),
    path(
        "mina-sammantraden/punkt/<int:punkt>/underlag/<int:pk>/",
        ledamotsportal.underlag,
        name="ledamot_underlag",
    ),
    path("anslagstavla/", publikt_anslagstavla.anslagstavla, name="anslagstavla"),
    path(
        "anslagstavla/<int:pk>/protokoll.<slug:format>",
        publikt_anslagstavla.publicerat_protokoll,
        name="publicerat_protokoll",
    ),
]
