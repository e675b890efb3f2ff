from django.urls import path

from . import views

app_name = "standards"

urlpatterns = [
    path("", views.standard_list, name="list"),
    path("diff/", views.standard_diff, name="diff"),
    path("<slug:library_id>/<int:version>/", views.standard_detail, name="detail"),
]
