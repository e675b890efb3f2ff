from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.round_list, name="list"),
    path("<int:pk>/", views.round_detail, name="detail"),
    path("<int:pk>/close/", views.round_close, name="close"),
    path("<int:pk>/apply/", views.round_apply, name="apply"),
    path("<int:pk>/reissue/", views.round_reissue, name="reissue"),
    path("concerns/", views.concern_list, name="concerns"),
]
