"""API plumbing shared by every app: one shape for every refusal, documented in the OpenAPI.

Invalid input — a 400, and every other refusal that is not about who may see what (409, 410,
413, 415, 429 …) — answers::

    {"detail": "<中文说明>", "code": "<machine code>", "field": "<first field>" | null,
     "errors": {"<field>": ["<message>", …]}}

A 403 or 404 answers ``{"detail", "code"}`` (plus ``field`` when a permission refusal names
one). Views never build these by hand: they raise (``DomainError``, DRF's
``ValidationError`` through :func:`validated`, Django's ``ValidationError``) and
:func:`exception_handler` answers; plain Django views outside DRF use :func:`refusal_body`.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from .errors import DomainError, NotPermitted

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY
# Answered with {"detail", "code"} only: who may see or do what, not what was sent.
_ACCESS_STATUSES = frozenset({401, 403, 404})


class ErrorSerializer(serializers.Serializer):
    """The body of every invalid-input answer (component ``Error``)."""

    detail = serializers.CharField(help_text="中文说明：哪里不对、如何改正")
    code = serializers.CharField(help_text="机器可读的错误代码，如 required、invalid、out_of_scope")
    field = serializers.CharField(allow_null=True,
                                  help_text="第一个出错的字段；与字段无关时为 null")
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   help_text="字段 → 该字段的全部问题")


class RefusalSerializer(serializers.Serializer):
    """The body of a 403 or 404 (component ``Refusal``)."""

    detail = serializers.CharField()
    code = serializers.CharField()


def error_body(detail, code: str = "invalid", field: str | None = None,
               errors: dict | None = None) -> dict:
    """The invalid-input shape; ``errors`` defaults to the one message under ``field``."""
    if errors is None:
        errors = {field: [str(detail)]} if field else {}
    return {"detail": str(detail), "code": code, "field": field or None, "errors": errors}


def refusal_body(exc: DomainError, status_code: int = 400) -> dict:
    """A service refusal as the API answers it."""
    if isinstance(exc, NotPermitted) or status_code in _ACCESS_STATUSES:
        body = {"detail": str(exc.message), "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        return body
    errors: dict[str, list[str]] = {}
    for problem in exc.errors:  # [{"field"|"column", "message", …}] of a multi-field refusal
        if isinstance(problem, dict) and "message" in problem:
            key = problem.get("field") or problem.get("column") or NON_FIELD
            errors.setdefault(key, []).append(str(problem["message"]))
    return error_body(exc.message, exc.code, exc.field, errors or None)


def _flatten(value) -> list:
    """The leaf messages (ErrorDetail) of a nested DRF error structure, in order."""
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _flatten(item)]
    if isinstance(value, list | tuple):
        return [leaf for item in value for leaf in _flatten(item)]
    return [value]


def validation_body(detail) -> dict:
    """DRF's ``{field: [messages]}`` (or a bare list) in the one shape; the summary names the
    first field and its first problem."""
    if not isinstance(detail, dict):
        detail = {NON_FIELD: detail}
    leaves = {key: _flatten(value) for key, value in detail.items()}
    errors = {key: [str(m) for m in messages] for key, messages in leaves.items()}
    first_key, first = next(((k, v) for k, v in leaves.items() if v), (None, ["输入有误。"]))
    field = None if first_key in (None, NON_FIELD) else first_key
    summary = f"{field}：{first[0]}" if field else str(first[0])
    return error_body(summary, getattr(first[0], "code", None) or "invalid", field, errors)


def _django_validation_body(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        detail = {(NON_FIELD if key == "__all__" else key): messages
                  for key, messages in exc.message_dict.items()}
    else:
        detail = {NON_FIELD: exc.messages}
    return validation_body(detail)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        set_rollback()
        code = status.HTTP_403_FORBIDDEN if isinstance(exc, NotPermitted) else 400
        return Response(refusal_body(exc, code), status=code)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response(_django_validation_body(exc), status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        response.data = validation_body(exc.detail)
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        detail = str(response.data.get("detail", exc.detail)) if isinstance(response.data, dict) \
            else str(exc.detail)
        response.data = ({"detail": detail, "code": code}
                         if response.status_code in _ACCESS_STATUSES
                         else error_body(detail, code))
    return response


def validated(serializer_class, request) -> dict:
    """The request's validated input; otherwise a 400 in the one shape naming every field."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class HexieAutoSchema(AutoSchema):
    """Every operation documents its refusals: 400 → ``Error``, 403/404 → ``Refusal``."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        responses["400"] = self._get_response_for_code(ErrorSerializer, "400",
                                                       direction=direction)
        for code in ("403", "404"):
            responses.setdefault(code, self._get_response_for_code(RefusalSerializer, code,
                                                                   direction=direction))
        return responses
