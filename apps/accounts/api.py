from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from apps.accounts import services
from apps.accounts.models import ApiToken, RaterProfile
from apps.core.api import IsCurator


class LoginThrottle(AnonRateThrottle):
    rate = "20/min"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(required=False, default="api", max_length=100)


class TokenObtainView(APIView):
    """Exchange a username and password for a new API token (`Authorization: Token <key>`)."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [LoginThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,  # the HttpRequest: django-axes marks a locked-out request on it
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            return Response(
                {"detail": "Unable to log in with these credentials: check the username and password."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        _, raw_key = services.token_create(user=user, name=serializer.validated_data["name"])
        return Response({"token": raw_key})


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "active"]
        read_only_fields = ["prefix", "created_at", "last_used_at", "revoked_at", "active"]


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]


class ApiTokenViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The calling user's own API tokens: list, create (the key is returned once), revoke (DELETE)."""

    queryset = ApiToken.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user)

    @extend_schema(request=ApiTokenSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request):
        serializer = ApiTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, raw_key = services.token_create(user=request.user, name=serializer.validated_data["name"])
        token.key = raw_key
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.token_revoke(token=instance, actor=self.request.user)


class RaterSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    group = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = RaterProfile
        fields = ["id", "username", "group", "expertise", "active", "created_at"]


class RaterViewSet(viewsets.ReadOnlyModelViewSet):
    """Raters and their groups (curators only)."""

    serializer_class = RaterSerializer
    permission_classes = [IsCurator]
    filterset_fields = ["group__slug", "active"]

    def get_queryset(self):
        return RaterProfile.objects.select_related("user", "group")
