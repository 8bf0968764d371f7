"""Shared API pieces (permissions, error shape) and the jobs endpoint."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core import selectors, webhooks
from apps.core.errors import ServiceError
from apps.core.forms import AuditFilterForm
from apps.core.models import AuditLog, Job, Webhook, WebhookDelivery
from apps.core.roles import CURATE, RATE, is_admin


class IsCurator(permissions.BasePermission):
    message = "This endpoint is for curators; your account does not have the curator role."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(CURATE))


class IsRater(permissions.BasePermission):
    message = "This endpoint is for raters; your account does not have the rater role."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(RATE))


def exception_handler(exc, context):
    """DRF's handler, plus: every error body carries a `detail` a person can act on, and a service's
    refusal (apps.core.errors.ServiceError) answers with its own status, message and `errors`."""
    if isinstance(exc, ServiceError):
        body = {"detail": exc.message} | ({"errors": exc.errors} if exc.errors else {})
        return Response(body, status=exc.status)
    if isinstance(exc, Http404):
        exc = NotFound("Not found, or not visible to your account.")
    elif isinstance(exc, DjangoValidationError):
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": "The request has invalid fields; see `errors`.", "errors": response.data}
    return response


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer (see `exception_handler`)."""

    detail = serializers.CharField(help_text="What went wrong and what to do about it.")
    errors = serializers.DictField(
        required=False,
        child=serializers.JSONField(),
        help_text="Per field (or per row/question key): the messages, when the request had invalid parts.",
    )


ERROR_RESPONSES = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid request; `errors` names each field."),
    401: OpenApiResponse(ErrorSerializer, description="Not signed in (send a token or a session)."),
    403: OpenApiResponse(ErrorSerializer, description="Your role does not allow this."),
    404: OpenApiResponse(ErrorSerializer, description="Not found, or not visible to your account."),
    409: OpenApiResponse(
        ErrorSerializer, description="Conflicts with the current state (e.g. a stale version)."
    ),
}


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", default=None, read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "parameters",
            "status",
            "progress_done",
            "progress_total",
            "percent",
            "message",
            "result",
            "error",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Jobs: curators see every job, other users the jobs they started."""

    queryset = Job.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = JobSerializer
    filterset_fields = ["status", "kind"]

    def get_queryset(self):
        return selectors.jobs_visible_to(self.request.user)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "payload",
            "status",
            "attempts",
            "last_status_code",
            "last_response",
            "log",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields


class WebhookSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=Webhook.Event.choices))
    progress_percents = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=100),
        required=False,
        help_text="study.progress: shares of a study's ratings (percent) at which it fires; default [50].",
    )

    class Meta:
        model = Webhook
        fields = ["id", "url", "events", "progress_percents", "active", "secret", "created_at"]
        read_only_fields = ["secret", "created_at"]


class WebhookViewSet(viewsets.ModelViewSet):
    """Your webhooks (curators). Each POST carries `X-Equitext-Signature: sha256=HMAC(secret, body)`."""

    queryset = Webhook.objects.none()
    serializer_class = WebhookSerializer
    permission_classes = [IsCurator]

    def get_queryset(self):
        return Webhook.objects.filter(owner=self.request.user)

    # Creating, changing and deleting one go through apps.core.webhooks (checked, audited).
    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = webhooks.webhook_create(
            owner=self.request.user,
            url=data["url"],
            events=data["events"],
            progress_percents=data.get("progress_percents"),
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = webhooks.webhook_update(
            webhook=serializer.instance,
            user=self.request.user,
            url=data.get("url"),
            events=data.get("events"),
            progress_percents=data.get("progress_percents"),
            active=data.get("active"),
        )

    def perform_destroy(self, instance):
        webhooks.webhook_delete(webhook=instance, user=self.request.user)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The latest deliveries of this webhook, with every attempt's outcome."""
        hook = self.get_object()
        page = self.paginate_queryset(hook.deliveries.all())
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)


class IsAdmin(permissions.BasePermission):
    message = "This endpoint is for administrators."

    def has_permission(self, request, view):
        return is_admin(request.user)


class AuditLogSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = AuditLog
        fields = ["id", "at", "actor", "action", "object_type", "object_id", "object_repr", "details"]
        read_only_fields = fields


@extend_schema(
    parameters=[
        OpenApiParameter("actor", str, description="Username (exact, any case)"),
        OpenApiParameter("action", str, description='An action or a dotted prefix ("rating" → rating.*)'),
        OpenApiParameter("object_type", str, description='e.g. "reviews.study"'),
        OpenApiParameter("object_id", str),
        OpenApiParameter("since", OpenApiTypes.DATE, description="From this date (inclusive)"),
        OpenApiParameter("until", OpenApiTypes.DATE, description="To this date (inclusive)"),
    ]
)
class AuditLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The audit log, newest first (administrators): the same entries and filters as the /audit/ page."""

    queryset = AuditLog.objects.none()
    serializer_class = AuditLogSerializer
    permission_classes = [IsAdmin]

    def get_queryset(self):
        form = AuditFilterForm(self.request.query_params, object_types=selectors.audit_object_types())
        if self.request.query_params and not form.is_valid():
            raise ValidationError(form.errors)
        return selectors.audit_entries(**form.filters())
