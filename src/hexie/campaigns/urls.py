from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/plan/", views.campaign_plan, name="plan"),
    path("letters/<int:pk>/progress/", views.letter_progress, name="letter_progress"),
    path("inbox/<int:pk>/", views.letter_detail, name="letter"),
    path("pledge/", views.pledge_create, name="pledge"),
    path("pledges/<int:pk>/", views.pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/cultivation/", views.assign_cultivation, name="assign_cultivation"),
    path("congress/<int:pk>/minutes/", views.congress_minutes, name="congress_minutes"),
]
