from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from hexie.standards import api as standards_api

urlpatterns = [
    path("", include("hexie.accounts.urls")),
    path("units/", include("hexie.units.urls")),
    path("standards/", include("hexie.standards.urls")),
    path("campaigns/", include("hexie.campaigns.urls")),
    path("assessments/", include("hexie.assessments.urls")),
    path("recognition/", include("hexie.recognition.urls")),
    path("publicity/", include("hexie.publicity.urls")),
    path("public/", include("hexie.publicity.public_urls")),
    path("notifications/", include("hexie.notifications.urls")),
    path("documents/", include("hexie.documents.urls")),
    path("healthcheck/", include("hexie.healthcheck.urls")),
    path("surveys/", include("hexie.surveys.urls")),
    path("s/", include("hexie.surveys.public_urls")),
    path("api/v1/", include("hexie.units.api_urls")),
    path("api/v1/", include("hexie.campaigns.api_urls")),
    path("api/v1/", include("hexie.assessments.api_urls")),
    path("api/v1/", include("hexie.recognition.api_urls")),
    path("api/v1/", include("hexie.publicity.api_urls")),
    path("api/v1/", include("hexie.notifications.api_urls")),
    path("api/v1/", include("hexie.healthcheck.api_urls")),
    path("api/v1/", include("hexie.surveys.api_urls")),
    path("api/v1/standards/", standards_api.standard_list, name="api-standards"),
    path("api/v1/evaluations", standards_api.evaluation_create, name="api-evaluations"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
