from django.urls import path

from . import views

app_name = "recognition"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/appeal/", views.appeal, name="appeal"),
    path("appeals/<int:pk>/handle/", views.handle_appeal, name="handle_appeal"),
    path("reviews/", views.review_list, name="reviews"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("apply/", views.apply, name="apply"),
    path("mine/", views.mine, name="mine"),
]
