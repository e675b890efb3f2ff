"""The composition app: pages and commands that bring many apps together (the home page and
workbench, the navigation context, the campaign year's dashboard, the demo loader, ``hexie up``).

It sits above every other app, so no app below it imports another one above itself to compose a
page (docs/architecture.md, the layers checked by import-linter in pyproject.toml).
"""
