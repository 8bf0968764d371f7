"""The OpenAPI schema class of the API (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS).

drf-spectacular's AutoSchema, plus the error answers every client must handle, all in one shape
(`apps.core.api.ErrorSerializer`: `{"detail": str, "errors": {...}}`), added wherever they can occur:

- 401 on every endpoint that needs a signed-in user; 403 where a role is required;
- 400 where the request has a body, or query filters that are validated;
- 404 on every path with an id (not found, or not yours);
- 409 on PUT/PATCH and on actions of one object (stale version, wrong state).

Codes an endpoint documents itself (`extend_schema(responses=…)`) are left as they are.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.permissions import AllowAny, IsAuthenticated

WRITE_METHODS = ("POST", "PUT", "PATCH")


class AutoSchema(SpectacularAutoSchema):
    def _error_codes(self) -> list[int]:
        permissions = list(getattr(self.view, "permission_classes", []))
        needs_login = not any(p is AllowAny for p in permissions)
        codes = []
        if self.method in WRITE_METHODS or self._has_query_filters():
            codes.append(400)
        if needs_login:
            codes.append(401)
            if self.method in WRITE_METHODS or any(p is not IsAuthenticated for p in permissions):
                codes.append(403)
        if "{" in self.path:
            codes.append(404)
            if self.method in WRITE_METHODS:
                codes.append(409)
        return codes

    def _has_query_filters(self) -> bool:
        return self.method == "GET" and bool(
            getattr(self.view, "filterset_class", None)
            or getattr(self.view, "filterset_fields", None)
            or self.path.startswith("/api/v1/exports/")
        )

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
