"""Loaded standard library versions, view-only (StandardLibrary.immutable)."""

from django.contrib import admin

from hexie.core.adminsite import AuditedAdmin

from .models import StandardLibrary


@admin.register(StandardLibrary)
class StandardLibraryAdmin(AuditedAdmin):
    list_display = ("library_id", "version", "title", "issuer", "effective", "example",
                    "loaded_at")
    list_filter = ("library_id", "example")
    search_fields = ("library_id", "title", "issuer", "sha256")
