"""Shared API pieces (permissions, error shape) and the jobs endpoint."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core import selectors
from apps.core.models import Job
from apps.core.roles import CURATE, RATE
from apps.core.services import BrokerUnavailable


class IsCurator(permissions.BasePermission):
    message = "This endpoint is for curators; your account does not have the curator role."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(CURATE))


class IsRater(permissions.BasePermission):
    message = "This endpoint is for raters; your account does not have the rater role."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(RATE))


def exception_handler(exc, context):
    """DRF's handler, plus: every error body carries a `detail` a person can act on."""
    if isinstance(exc, BrokerUnavailable):
        exc = ServiceUnavailable(str(exc))
    elif isinstance(exc, Http404):
        exc = NotFound("Not found, or not visible to your account.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": "The request has invalid fields; see `errors`.", "errors": response.data}
    return response


class ServiceUnavailable(APIException):
    status_code = 503
    default_detail = "A service this request needs is unavailable; try again shortly."
    default_code = "service_unavailable"


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
