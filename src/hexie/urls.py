from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from hexie.campaigns import urls as campaigns_urls
from hexie.site import urls as site_urls
from hexie.standards import api as standards_api

urlpatterns = [
    path("", include("hexie.site.urls")),
    path("", include("hexie.accounts.urls")),
    path("units/", include("hexie.units.urls")),
    path("standards/", include("hexie.standards.urls")),
    # The campaign year's dashboard counts across apps, so hexie.site serves it under the
    # campaigns namespace (campaigns:dashboard).
    path("campaigns/", include(
        (campaigns_urls.urlpatterns + site_urls.campaign_patterns, campaigns_urls.app_name))),
    path("assessments/", include("hexie.assessments.urls")),
    path("recognition/", include("hexie.recognition.urls")),
    path("publicity/", include("hexie.publicity.urls")),
    path("public/", include("hexie.publicity.public_urls")),
    path("notifications/", include("hexie.notifications.urls")),
    path("documents/", include("hexie.documents.urls")),
    path("healthcheck/", include("hexie.healthcheck.urls")),
    path("surveys/", include("hexie.surveys.urls")),
    path("s/", include("hexie.surveys.public_urls")),
    path("audit/", include("hexie.core.urls")),
    path("api/v1/", include("hexie.units.api_urls")),
    path("api/v1/", include("hexie.campaigns.api_urls")),
    path("api/v1/", include("hexie.assessments.api_urls")),
    path("api/v1/", include("hexie.recognition.api_urls")),
    path("api/v1/", include("hexie.publicity.api_urls")),
    path("api/v1/", include("hexie.notifications.api_urls")),
    path("api/v1/", include("hexie.healthcheck.api_urls")),
    path("api/v1/", include("hexie.surveys.api_urls")),
    path("api/v1/", include("hexie.core.api_urls")),
    path("api/v1/", include("hexie.accounts.api_urls")),
    path("api/v1/standards/", standards_api.standard_list, name="api-standards"),
    path("api/v1/evaluations", standards_api.evaluation_create, name="api-evaluations"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
