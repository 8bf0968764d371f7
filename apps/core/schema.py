"""The OpenAPI schema class of the API (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS).

drf-spectacular's AutoSchema, plus the error answers every client must handle, all in one shape
(`apps.core.api.ErrorSerializer`: `{"detail": str, "errors": {...}}`), added wherever they can occur:

- 401 and 403 on every endpoint that needs a signed-in user (roles are checked per view or action);
- 400 everywhere but DELETE (bodies, filters, cursors and page sizes are validated);
- 404 on every path with an id (not found, or not yours);
- 409 on PUT/PATCH and on actions of one object (stale version, wrong state).

Codes an endpoint documents itself (`extend_schema(responses=…)`) are left as they are.

Response fields also say what they really carry: a read-only field whose source crosses a relation that
may be empty (`source="decided_by.username"`, a nullable foreign key) or that defaults to None is
`nullable`; a URL field that may be blank is a plain string (an empty string is not a URI).
"""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.fields import empty
from rest_framework.permissions import AllowAny

WRITE_METHODS = ("POST", "PUT", "PATCH")


class AutoSchema(SpectacularAutoSchema):
    def _error_codes(self) -> list[int]:
        permissions = list(getattr(self.view, "permission_classes", []))
        needs_login = not any(p is AllowAny for p in permissions)
        codes = []
        if self.method != "DELETE":  # bodies, query filters, cursors and page sizes are all validated
            codes.append(400)
        if needs_login:  # and roles: views may check them per action, so any signed-in call may get 403
            codes += [401, 403]
        if "{" in self.path:
            codes.append(404)
            if self.method in WRITE_METHODS:
                codes.append(409)
        return codes

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction != "response" or not isinstance(schema, dict) or "$ref" in schema:
            return schema
        if _may_be_null(field):
            schema["nullable"] = True
        return schema

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)  # a URL validator adds format "uri"
        if schema.get("format") == "uri" and (getattr(field, "allow_blank", False) or _blank_in_model(field)):
            del schema["format"]

    def _get_response_bodies(self, direction="response"):
        from apps.core.api import ERROR_RESPONSES

        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    ERROR_RESPONSES[code], str(code), None, direction
                )
        return responses


def _may_be_null(field) -> bool:
    """A read-only serializer field that answers None: default None, or a source through a nullable
    relation of the serializer's model."""
    if not getattr(field, "read_only", False):
        return False
    if getattr(field, "default", empty) is None:
        return True
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    for name in (field.source or "").split(".")[:-1] or [field.source]:
        if model is None or name == "*":
            return False
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if getattr(model_field, "null", False) and model_field.is_relation:
            return True
        model = model_field.related_model
    return False


def _blank_in_model(field) -> bool:
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        return bool(model._meta.get_field(field.source).blank)
    except FieldDoesNotExist:
        return False
