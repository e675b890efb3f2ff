"""Form habits every app shares."""


class ServiceErrorsMixin:
    """Forms parse input; services decide. A service's refusal (``DomainError``) is shown on
    the field it names, or above the form."""

    def add_service_error(self, exc) -> None:
        """Show a refused service call on the field it names (or above the form)."""
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, str(exc.message))
