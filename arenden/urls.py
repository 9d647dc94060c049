from django.urls import path

from . import views

app_name = "arenden"

urlpatterns = [
    path("", views.start, name="start"),
    path("mina-arenden/", views.mina_arenden, name="mina_arenden"),
    path("arbetslista/<slug:namn>/", views.arbetslista, name="arbetslista"),
    path("arende/<int:pk>/", views.arende, name="arende"),
    path("arende/<int:pk>/overgang/", views.overgang, name="overgang"),
    path("handling/<int:pk>/fil/", views.handling_fil, name="handling_fil"),
    path("arende/<int:pk>/tidslinje/", views.tidslinje, name="tidslinje"),
    path("arende/<int:pk>/tilldela/", views.tilldela_vy, name="tilldela"),
    path("arende/<int:pk>/handling/ny/", views.ny_handling, name="ny_handling"),
    path("arende/<int:pk>/tjansteskrivelse/", views.tjansteskrivelse, name="tjansteskrivelse"),
    path("arende/<int:pk>/expediera/", views.expediera, name="expediera"),
    path("arbetsflode/<slug:namn>/", views.arbetsflode, name="arbetsflode"),
    path("granskning/", views.auditlogg, name="auditlogg"),
    path("granskning/export.<str:format>", views.auditlogg_export, name="auditlogg_export"),
    path("granskning/kontroll/", views.verifiering, name="verifiering"),
    path("sok/", views.sok, name="sok"),
    path("postlista/", views.postlista, name="postlista"),
]
