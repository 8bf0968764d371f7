from functools import cached_property

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from apps.accounts import selectors, services
from apps.accounts.models import ApiToken, Invitation, RaterProfile
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
    """A rater with their quality figures (over every study, or the one given as `?study=`)."""

    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.first_name", read_only=True)
    email = serializers.CharField(source="user.email", read_only=True)
    group = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True)
    studies = serializers.SerializerMethodField()
    submitted = serializers.SerializerMethodField(help_text="Submitted ratings of regular items.")
    median_seconds = serializers.SerializerMethodField(help_text="Median seconds per submitted item.")
    gold_accuracy = serializers.SerializerMethodField(help_text="Share of expected gold answers matched.")
    gold_items = serializers.SerializerMethodField(help_text="Gold items answered.")
    group_agreement = serializers.SerializerMethodField(
        help_text="Share of items where the rater's answer to the primary question equals the majority "
        "answer of the other raters of their group."
    )
    group_agreement_n = serializers.SerializerMethodField(help_text="Items that share is computed on.")
    open_flags = serializers.SerializerMethodField()

    class Meta:
        model = RaterProfile
        fields = [
            "id",
            "username",
            "name",
            "email",
            "group",
            "group_name",
            "expertise",
            "active",
            "created_at",
            "studies",
            "submitted",
            "median_seconds",
            "gold_accuracy",
            "gold_items",
            "group_agreement",
            "group_agreement_n",
            "open_flags",
        ]
        read_only_fields = fields

    def _figures(self, profile):
        return self.context.get("figures", {}).get(profile.user_id)

    def get_studies(self, profile) -> list[str]:
        f = self._figures(profile)
        return f.studies if f else []

    def get_submitted(self, profile) -> int:
        f = self._figures(profile)
        return f.submitted if f else 0

    def get_median_seconds(self, profile) -> float | None:
        f = self._figures(profile)
        return f.median_seconds if f else None

    def get_gold_accuracy(self, profile) -> float | None:
        f = self._figures(profile)
        return f.gold_accuracy if f else None

    def get_gold_items(self, profile) -> int:
        f = self._figures(profile)
        return f.gold_items if f else 0

    def get_group_agreement(self, profile) -> float | None:
        f = self._figures(profile)
        return f.group_agreement if f else None

    def get_group_agreement_n(self, profile) -> int:
        f = self._figures(profile)
        return f.agree_n if f else 0

    def get_open_flags(self, profile) -> list[str]:
        f = self._figures(profile)
        return f.open_flags if f else []


class DeactivateSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class RaterViewSet(viewsets.ReadOnlyModelViewSet):
    """Raters, their groups and quality figures (curators only). Filters: `group` (slug), `active`,
    `study` (id: raters with work in it; figures then for that study only), `flagged` (open flags),
    `search`. `POST raters/{id}/deactivate/` releases the rater's leases at once and ends their access;
    `reactivate/` restores it."""

    queryset = RaterProfile.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = RaterSerializer
    permission_classes = [IsCurator]
    filter_backends = []  # filters are explicit query parameters (see get_queryset)

    @extend_schema(
        parameters=[
            OpenApiParameter("group", str, description="Rater group slug."),
            OpenApiParameter("active", bool),
            OpenApiParameter(
                "study", int, description="Only raters with work in this study; figures for it."
            ),
            OpenApiParameter(
                "flagged", bool, description="Raters with (true) or without (false) open flags."
            ),
            OpenApiParameter("search", str, description="Part of a username or name."),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @cached_property
    def _study(self):
        """The `?study=` of a list request, looked up once (None without one or for other actions)."""
        if self.action != "list":
            return None
        study_id = self.request.query_params.get("study", "")
        if not study_id:
            return None
        from apps.reviews.models import Study

        study = Study.objects.filter(pk=study_id).first() if study_id.isdigit() else None
        if study is None:
            raise ValidationError({"study": [f"No study with id {study_id!r}."]})
        return study

    def get_queryset(self):
        params = self.request.query_params
        return selectors.raters_filtered(
            group=params.get("group", "") or params.get("group__slug", ""),
            active=params.get("active", "").lower(),
            study=self._study,
            flagged=params.get("flagged", "").lower(),
            search=params.get("search", "").strip(),
        )

    def get_serializer(self, *args, **kwargs):
        instances = args[0] if args else None
        if instances is not None:
            many = kwargs.get("many", False)
            pairs = selectors.raters_with_figures(instances if many else [instances], study=self._study)
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["figures"] = {profile.user_id: f for profile, f in pairs}
        return super().get_serializer(*args, **kwargs)

    @extend_schema(request=DeactivateSerializer, responses={200: RaterSerializer})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        serializer = DeactivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = services.rater_deactivate(
            profile=self.get_object(), actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self._rater_response(profile)

    @extend_schema(request=None, responses={200: RaterSerializer})
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        profile = services.rater_reactivate(profile=self.get_object(), actor=request.user)
        return self._rater_response(profile)

    def _rater_response(self, profile):
        """The rater as it is now, with its figures."""
        return Response(
            self.get_serializer(RaterProfile.objects.select_related("user", "group").get(pk=profile.pk)).data
        )


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
