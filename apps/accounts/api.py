from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from apps.accounts import selectors, services
from apps.accounts.models import ApiToken, Invitation
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


# --- invitations ---


class InvitationSerializer(serializers.ModelSerializer):
    group = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status = serializers.CharField(read_only=True)
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)
    username = serializers.CharField(
        source="user.username", default=None, read_only=True, help_text="The account created with it."
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "name",
            "email",
            "group",
            "status",
            "expires_at",
            "created_at",
            "created_by",
            "emailed_at",
            "used_at",
            "username",
            "revoked_at",
        ]
        read_only_fields = fields


class InvitationCreatedSerializer(InvitationSerializer):
    link = serializers.CharField(read_only=True, help_text="The one-time sign-up link; shown once.")

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "link"]
        read_only_fields = fields


class InvitationCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    email = serializers.CharField(required=False, allow_blank=True, default="")
    group = serializers.CharField(help_text="Rater group slug or name.")
    days = serializers.IntegerField(required=False, default=7, min_value=1, max_value=90)


class InvitationImportSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="CSV with the columns name, email, group.")
    csv = serializers.CharField(required=False, help_text="The same CSV as text.")
    days = serializers.IntegerField(required=False, default=7, min_value=1, max_value=90)


def _created(invitation, link):
    invitation.link = link
    return InvitationCreatedSerializer(invitation).data


class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Invitations (curators). `POST invitations/` invites one rater and answers with the one-time
    sign-up `link` (shown once; emailed where an email is given). `POST invitations/import/` does the
    same for a CSV (name, email, group): every row is validated first, and a file with any bad row
    creates nothing (400 with row numbers). `POST invitations/{id}/revoke/` withdraws a pending one."""

    queryset = Invitation.objects.none()
    serializer_class = InvitationSerializer
    permission_classes = [IsCurator]
    filterset_fields = ["group__slug"]

    def get_queryset(self):
        return selectors.invitations_all()

    def _base_url(self):
        return self.request.build_absolute_uri("/")

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationCreatedSerializer})
    def create(self, request):
        serializer = InvitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invitation, link = services.invitation_create(
            name=data["name"],
            email=data["email"],
            group=data["group"],
            days=data["days"],
            actor=request.user,
            base_url=self._base_url(),
        )
        return Response(_created(invitation, link), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=InvitationImportSerializer,
        responses={
            201: inline_serializer(
                "InvitationImport",
                {
                    "created": serializers.IntegerField(),
                    "invitations": InvitationCreatedSerializer(many=True),
                },
            )
        },
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_csv(self, request):
        serializer = InvitationImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data.get("file") is not None:
            content = data["file"].read()
        elif data.get("csv"):
            content = data["csv"]
        else:
            raise ValidationError({"file": ["Upload a CSV file (name, email, group) or send it as `csv`."]})
        created = services.invitations_import_csv(
            data=content, actor=request.user, base_url=self._base_url(), days=data["days"]
        )
        return Response(
            {"created": len(created), "invitations": [_created(i, link) for i, link in created]},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={200: InvitationSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        invitation = services.invitation_revoke(invitation=self.get_object(), actor=request.user)
        return Response(InvitationSerializer(invitation).data)
