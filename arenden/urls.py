from django.urls import path

from . import motesvyer, views

app_name = "arenden"

urlpatterns = [
    path("", views.start, name="start"),
    path("mina-arenden/", views.mina_arenden, name="mina_arenden"),
    path("oversikt/", views.oversikt, name="oversikt"),
    path("bevakning/", views.bevakning, name="bevakning"),
    path("arbetslista/<slug:namn>/", views.arbetslista, name="arbetslista"),
    path("arende/<int:pk>/", views.arende, name="arende"),
    path("arende/<int:pk>/overgang/", views.overgang, name="overgang"),
    path("handling/<int:pk>/fil/", views.handling_fil, name="handling_fil"),
    path("arende/<int:pk>/tidslinje/", views.tidslinje, name="tidslinje"),
    path("arende/<int:pk>/tilldela/", views.tilldela_vy, name="tilldela"),
    path("arende/<int:pk>/beslut/", views.beslut, name="beslut"),
    path("arende/<int:pk>/handling/ny/", views.ny_handling, name="ny_handling"),
    path("arende/<int:pk>/tjansteskrivelse/", views.tjansteskrivelse, name="tjansteskrivelse"),
    path(
        "arende/<int:pk>/tjansteskrivelse.<slug:format>",
        views.tjansteskrivelse_dokument,
        name="tjansteskrivelse_dokument",
    ),
    path(
        "arende/<int:pk>/tjansteskrivelse/arkivera/",
        views.tjansteskrivelse_arkivera,
        name="tjansteskrivelse_arkivera",
    ),
    path("arende/<int:pk>/expediera/", views.expediera, name="expediera"),
    path("arende/<int:pk>/sandlista/", views.sandlista, name="sandlista"),
    path("registrera/", views.registrera, name="registrera"),
    path("uppdrag/<int:pk>/redovisa/", views.redovisa, name="redovisa"),
    path("arbetsflode/<slug:namn>/", views.arbetsflode, name="arbetsflode"),
    path("granskning/", views.auditlogg, name="auditlogg"),
    path("granskning/export.<str:format>", views.auditlogg_export, name="auditlogg_export"),
    path("granskning/kontroll/", views.verifiering, name="verifiering"),
    path("sok/", views.sok, name="sok"),
    path("postlista/", views.postlista, name="postlista"),
    path("sammantraden/", motesvyer.sammantraden, name="sammantraden"),
    path("sammantrade/<int:pk>/", motesvyer.sammantrade, name="sammantrade"),
    path("sammantrade/<int:pk>/overgang/", motesvyer.mote_overgang, name="mote_overgang"),
    path("sammantrade/<int:pk>/justera/", motesvyer.mote_justera, name="mote_justera"),
    path("sammantrade/<int:pk>/deltagare/", motesvyer.mote_deltagare, name="mote_deltagare"),
    path(
        "sammantrade/<int:pk>/narvaro/<int:deltagare>/",
        motesvyer.mote_narvaro,
        name="mote_narvaro",
    ),
    path("sammantrade/<int:pk>/punkt/", motesvyer.mote_punkt, name="mote_punkt"),
    path("sammantrade/<int:pk>/rattelse/", motesvyer.mote_rattelse, name="mote_rattelse"),
    path(
        "sammantrade/<int:pk>/<slug:slag>.<slug:format>",
        motesvyer.mote_dokument,
        name="mote_dokument",
    ),
    path("punkt/<int:pk>/<slug:atgard>/", motesvyer.punkt_atgard, name="punkt_atgard"),
    path("punkt/<int:pk>/utdrag.<slug:format>", motesvyer.punkt_utdrag, name="punkt_utdrag"),
    path("anslagstavla/", motesvyer.anslagstavla, name="anslagstavla"),
    path(
        "anslagstavla/<int:pk>/protokoll.<slug:format>",
        motesvyer.publicerat_protokoll,
        name="publicerat_protokoll",
    ),
]
