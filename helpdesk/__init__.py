"""Open-source help desk: help center, tickets and agent workspace.

Layers (imports only point downwards):
    web/       Reflex UI: pages, per-page State classes, components, i18n
    services/  use cases; every call checks who may do what (no Reflex here)
    domain/    SQLModel tables and pure business rules (no Reflex, no I/O)
    infra/     database engine, migrations, file storage, settings
"""
