from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
]

# Pages composed here that keep the URL name of the app they show (included into that app's
# namespace by hexie.urls).
campaign_patterns = [
    path("<int:pk>/dashboard/", views.campaign_dashboard, name="dashboard"),
]
