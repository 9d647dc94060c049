from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from arenden.konto import totp

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "konto/logga-in/",
        auth_views.LoginView.as_view(template_name="arenden/logga_in.html"),
        name="login",
    ),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("konto/oidc/", include("arenden.konto.sso")),
    path("konto/engangskod/", totp.kod, name="totp_kod"),
    path("konto/tvastegsverifiering/", totp.registrera, name="totp_registrera"),
    path("uppgifter/", include("flows.urls")),
    path("api/", include("arenden.api.urls")),
    path("", include("arenden.urls")),
]

# the error pages in Swedish, each with a way back (not viewflow's)
handler400 = "arenden.gemensamt.sidor.felaktig"
handler403 = "arenden.gemensamt.sidor.nekad"
handler404 = "arenden.gemensamt.sidor.saknas"
handler500 = "arenden.gemensamt.sidor.fel"
