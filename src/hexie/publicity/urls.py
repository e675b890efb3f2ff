from django.urls import path

from . import views

app_name = "publicity"

urlpatterns = [
    path("", views.index, name="index"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/close/", views.notice_close, name="notice_close"),
    path("objections/", views.objection_list, name="objections"),
    path("objections/<int:pk>/", views.objection_detail, name="objection"),
    path("lists/<int:pk>/", views.list_detail, name="list"),
]
