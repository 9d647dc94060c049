from django.urls import path

from . import views

app_name = "flows"

urlpatterns = [
    path("", views.inkorg, name="inkorg"),
    path("<int:pk>/ta/", views.ta, name="ta"),
    path("<int:pk>/granska/", views.granska, name="granska"),
]
