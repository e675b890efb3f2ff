"""The printed page: the GB/T 9704 layout as data, the vendored CJK fonts and the glyph check.

A low app with no models: any app that draws a PDF (health check reports, survey sheets, the
documents app's letters and certificates) uses it, and it knows none of them.
"""
