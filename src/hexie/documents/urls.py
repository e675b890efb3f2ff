from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("letters/<int:pk>.pdf", views.letter_pdf, name="letter"),
    path("deliveries/<int:pk>.pdf", views.delivery_pdf, name="delivery"),
    path("pledges/<int:pk>.pdf", views.pledge_pdf, name="pledge"),
    path("recognitions/<int:pk>.pdf", views.recognition_pdf, name="recognition"),
    path("lists/<int:pk>.pdf", views.published_list_pdf, name="published_list"),
]
