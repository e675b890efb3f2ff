"""API plumbing shared by every app: domain errors become readable 400/403 answers."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError, NotPermitted


def exception_handler(exc, context):
    if isinstance(exc, NotPermitted):
        return Response(exc.as_dict(), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def validated(serializer_class, request) -> dict:
    """The request's validated input; DRF's own 400 ({field: [messages]}) otherwise."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def validated_or_refuse(serializer_class, request) -> dict:
    """The request's validated input, or its first problem as a DomainError (the one
    {"detail", "field", "code"} shape of the service refusals)."""
    serializer = serializer_class(data=request.data)
    if not serializer.is_valid():
        field, problems = next(iter(serializer.errors.items()))
        problem = problems[0] if isinstance(problems, list) else problems
        if isinstance(problem, dict):  # a list field: {index: [message]}
            problem = next(iter(problem.values()))[0]
        raise DomainError(f"{field}：{problem}", field=field,
                          code=getattr(problem, "code", "invalid"))
    return serializer.validated_data
