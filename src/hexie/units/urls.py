from django.urls import path

from . import views, views_access

app_name = "units"

urlpatterns = [
    path("", views.unit_list, name="list"),
    path("new/", views.unit_create, name="create"),
    path("export.xlsx", views.unit_export, name="export"),
    path("import/", views.import_upload, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("import/jobs/<int:pk>/", views.import_job, name="import_job"),
    path("import/jobs/<int:pk>/errors.csv", views.import_job_errors, name="import_job_errors"),
    path("import/jobs/<int:pk>/invitations.xlsx", views.import_job_invitations,
         name="import_job_invitations"),
    path("request-access/", views_access.request_access, name="request_access"),
    path("access-requests/", views_access.access_requests, name="access_requests"),
    path("access-requests/<int:pk>/approve/", views_access.approve, name="approve_access"),
    path("access-requests/<int:pk>/refuse/", views_access.refuse, name="refuse_access"),
    path("<int:pk>/", views.unit_detail, name="detail"),
    path("<int:pk>/edit/", views.unit_edit, name="edit"),
    path("<int:pk>/size/", views.unit_override_size, name="override_size"),
    path("<int:pk>/delete/", views.unit_delete, name="delete"),
    path("<int:pk>/invite/", views.unit_invite, name="invite"),
    path("<int:pk>/invitations/<int:invitation_pk>/withdraw/", views.unit_withdraw_invitation,
         name="withdraw_invitation"),
]
