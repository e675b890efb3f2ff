from django.urls import path

from . import views

app_name = "healthcheck"

urlpatterns = [
    path("", views.index, name="index"),
    path("progress/", views.progress, name="progress"),
    path("organise/", views.organise, name="organise"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/close/", views.close_task, name="close_task"),
    path("tasks/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("tasks/<int:pk>/evidence/", views.task_evidence, name="evidence"),
]
