from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from arenden.api import views

app_name = "api"

urlpatterns = [
    path("arenden/", views.ArendeLista.as_view(), name="arenden"),
    path("arenden/<int:pk>/", views.ArendeDetalj.as_view(), name="arende"),
    path("arenden/<int:pk>/handlingar/", views.Handlingar.as_view(), name="handlingar"),
    path("arenden/<int:pk>/overgangar/", views.Overgangar.as_view(), name="overgangar"),
    path("arenden/<int:pk>/historik/", views.Historik.as_view(), name="historik"),
    path("handlingar/<int:pk>/", views.HandlingDetalj.as_view(), name="handling"),
    path("handlingar/<int:pk>/fil/", views.HandlingFil.as_view(), name="handling_fil"),
    path("arbetslistor/", views.Arbetslistor.as_view(), name="arbetslistor"),
    path("arbetslistor/<slug:namn>/", views.Arbetslista.as_view(), name="arbetslista"),
    path("sammantraden/", views.Sammantraden.as_view(), name="sammantraden"),
    path("sammantraden/<int:pk>/", views.SammantradeDetalj.as_view(), name="sammantrade"),
    path(
        "sammantraden/<int:pk>/historik/",
        views.SammantradeHistorik.as_view(),
        name="sammantrade_historik",
    ),
    path("protokoll/", views.Protokoll.as_view(), name="protokoll"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI with its script in a file of its own (not inline) and its assets from this
    # site (drf-spectacular-sidecar): it works under the site's Content-Security-Policy
    path(
        "dokumentation/",
        views.Dokumentation.as_view(url_name="api:schema"),
        name="dokumentation",
    ),
    # any other address under api/: a problem details 404, not the site's HTML page
    re_path(r"^", views.saknas),
]
