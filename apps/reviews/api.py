"""REST API of the reviews app (thin: parse, call a service or selector, shape).

Curators: `rubrics/`, `studies/` (create, launch/pause/close, preassign, results, agreement),
`ratings/` (read, correct), `raters/` (figures, deactivate, reactivate). Raters: `studies/` (their
own), `studies/{id}/next/`, `assignments/` (their own only; anyone else's is a 404),
`assignments/{id}/submit|skip|draft|correct/`.
"""

from functools import cached_property

from django.http import Http404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.accounts.models import RaterProfile
from apps.core.api import IsCurator, IsRater
from apps.core.errors import Conflict
from apps.core.roles import is_curator
from apps.reviews import assignment as engine
from apps.reviews import methods, quality, results, selectors, services
from apps.reviews.models import Assignment, Rating, Rubric, Study
from apps.reviews.quality.api import CURATOR_ACTIONS, StudyQualityActions
from apps.reviews.rater_context import own_assignment
from apps.reviews.serializers import (
    AssignmentSerializer,
    CorrectSerializer,
    CuratorRatingSerializer,
    DeactivateSerializer,
    ItemFlagCreateSerializer,
    ItemFlagSerializer,
    PreassignSerializer,
    RaterSerializer,
    RaterStudySerializer,
    RatingSerializer,
    RubricSerializer,
    SkipSerializer,
    StudyAgreementSerializer,
    StudyCreateSerializer,
    StudyResultsSerializer,
    StudySerializer,
    SubmitSerializer,
)

EXCLUDE_FLAGGED = OpenApiParameter(
    "exclude_flagged", bool, description="Leave out raters with open quality flags (listed in the answer)."
)


# --- rubrics ---


class RubricViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Rubrics (curators). PUT/PATCH changes a rubric in place until it is frozen (it has ratings or a
    launched study uses it); then it answers 201 with the new version."""

    queryset = Rubric.objects.all()
    serializer_class = RubricSerializer
    permission_classes = [IsCurator]
    filterset_fields = ["kind", "name"]

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rubric = services.rubric_create(
            name=data["name"],
            kind=data["kind"],
            definition=data["definition"],
            description=data.get("description", ""),
            actor=request.user,
        )
        return Response(RubricSerializer(rubric).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RubricSerializer, responses={200: RubricSerializer, 201: RubricSerializer})
    def update(self, request, pk=None, partial=False):
        """`min_seconds` alone (a quality setting) changes in place and never makes a new version."""
        rubric = self.get_object()
        revised = rubric
        if "definition" in request.data or "description" in request.data:
            revised = services.rubric_revise(
                rubric=rubric,
                definition=request.data.get("definition", rubric.definition),
                description=request.data.get("description"),
                actor=request.user,
            )
        if "min_seconds" in request.data:
            quality.rubric_min_seconds_set(
                rubric=revised, min_seconds=request.data["min_seconds"], actor=request.user
            )
        code = status.HTTP_201_CREATED if revised.pk != rubric.pk else status.HTTP_200_OK
        return Response(RubricSerializer(revised).data, status=code)

    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)


# --- studies ---


# A study as its reader may see it: curators get every field, raters only what raters may read.
STUDY_FOR_ROLE = PolymorphicProxySerializer(
    component_name="StudyForRole",
    serializers=[StudySerializer, RaterStudySerializer],
    resource_type_field_name=None,
)


@extend_schema_view(
    list=extend_schema(responses={200: STUDY_FOR_ROLE}),
    retrieve=extend_schema(responses={200: STUDY_FOR_ROLE}),
)
class StudyViewSet(
    StudyQualityActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Studies. Curators see and manage every study; raters list the studies they take part in and ask
    for their next item with `POST studies/{id}/next/` (204 when nothing is left for them)."""

    queryset = Study.objects.none()  # for the schema; requests use get_queryset()
    filterset_fields = ["status"]

    def get_queryset(self):
        if is_curator(self.request.user):
            return selectors.studies_all()
        return selectors.studies_for_rater(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return StudyCreateSerializer
        return StudySerializer if is_curator(self.request.user) else RaterStudySerializer

    def get_permissions(self):
        if self.action in (
            "create",
            "launch",
            "pause",
            "close",
            "results",
            "agreement",
            "preassign",
            "item_flags",
        ):
            return [IsCurator()]
        if self.action in CURATOR_ACTIONS:
            return [IsCurator()]
        if self.action in ("next", "consent"):
            return [IsRater()]
        return super().get_permissions()

    @extend_schema(request=StudyCreateSerializer, responses={201: StudySerializer})
    def create(self, request):
        serializer = StudyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        keys = ("question_set", "producers", "candidates", "segments", "texts")
        source = {key: data[key] for key in keys if key in data}
        study = services.study_create(
            name=data["name"],
            description=data["description"],
            rater_title=data["rater_title"],
            rater_instructions=data["rater_instructions"],
            rubric=data["rubric"],
            source=source,
            quotas=data["quotas"],
            blinding=data["blinding"],
            seed=data.get("seed"),
            lease_minutes=data["lease_minutes"],
            limit=data.get("limit"),
            actor=request.user,
        )
        study = selectors.studies_all().get(pk=study.pk)
        return Response(StudySerializer(study).data, status=status.HTTP_201_CREATED)

    def _transition(self, request, pk, name):
        study = self.get_object()
        study = services.study_transition(study=study, action=name, actor=request.user)
        return Response(StudySerializer(selectors.studies_all().get(pk=study.pk)).data)

    @extend_schema(request=None, responses={200: StudySerializer})
    @action(detail=True, methods=["post"])
    def launch(self, request, pk=None):
        """Launch a draft (creating its quota slots) or resume a paused study."""
        return self._transition(request, pk, "launch")

    @extend_schema(request=None, responses={200: StudySerializer})
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._transition(request, pk, "pause")

    @extend_schema(request=None, responses={200: StudySerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._transition(request, pk, "close")

    @extend_schema(
        request=None,
        responses={200: AssignmentSerializer, 204: OpenApiResponse(description="Nothing left for you.")},
    )
    @action(detail=True, methods=["post"])
    def next(self, request, pk=None):
        """Lease the next item for the calling rater (or return the lease they already hold)."""
        study = selectors.study_for_rater(request.user, pk)
        if study is None:
            raise Http404
        assignment = engine.assignment_lease_next(study=study, rater=request.user)
        if assignment is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(AssignmentSerializer(assignment).data)

    @extend_schema(request=PreassignSerializer, responses={201: AssignmentSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def preassign(self, request, pk=None):
        """Give a named rater an explicit batch of items (they count against the quota; no expiry)."""
        from django.contrib.auth import get_user_model

        study = self.get_object()
        serializer = PreassignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rater = get_user_model().objects.filter(username=serializer.validated_data["rater"]).first()
        if rater is None:
            raise ValidationError({"rater": [f"No user named {serializer.validated_data['rater']!r}."]})
        created = engine.assignments_preassign(
            study=study, rater=rater, item_ids=serializer.validated_data["items"], actor=request.user
        )
        return Response(
            [{"id": a.pk, "item": a.item_id, "rater": rater.username} for a in created],
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(parameters=[EXCLUDE_FLAGGED], responses={200: StudyResultsSerializer})
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        """Completion, bias rates, preferences or counterfactual outcomes with 95% intervals, each row
        naming its statistic and interval method (`estimates`), and a citable `methods` paragraph.

        `?exclude_flagged=true` leaves out the ratings of raters with open quality flags;
        `excluded_raters` says who was left out and why (`flagged_raters`: who is flagged either way)."""
        study = self.get_object()
        quality.flags_refresh(study=study)
        exclusion = quality.exclusion_for(
            study, exclude_flagged=quality.truthy(request.query_params.get("exclude_flagged"))
        )
        tables = results.study_results(study, exclude=exclusion.ids)
        return Response(
            {
                "study": study.pk,
                "seed": study.seed,
                **exclusion.as_dict(),
                "methods": methods.results_methods(study, tables, excluded=exclusion.excluded),
                "tables": [t.as_dict() for t in tables],
            }
        )

    @extend_schema(parameters=[EXCLUDE_FLAGGED], responses={200: StudyAgreementSerializer})
    @action(detail=True, methods=["get"])
    def agreement(self, request, pk=None):
        """Krippendorff's alpha and Randolph's kappa per rubric question and rater group, with intervals;
        `?exclude_flagged=true` as for results."""
        study = self.get_object()
        quality.flags_refresh(study=study)
        exclusion = quality.exclusion_for(
            study, exclude_flagged=quality.truthy(request.query_params.get("exclude_flagged"))
        )
        table = results.study_agreement(study, exclude=exclusion.ids)
        between = results.study_between_groups(study, exclude=exclusion.ids)
        text = methods.agreement_methods(study, table, excluded=exclusion.excluded, between=between)
        return Response(
            {
                "study": study.pk,
                "seed": study.seed,
                **exclusion.as_dict(),
                "methods": text,
                "table": table.as_dict(),
                "between_groups": [t.as_dict() for t in between],
            }
        )

    @extend_schema(responses={200: ItemFlagSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="item-flags", pagination_class=None)
    def item_flags(self, request, pk=None):
        """The items raters flagged in this study (broken text, offensive content, other + note), newest
        first. The study page's CSV (`studies/{id}/item-flags.csv` under /reviews/) adds the skip reasons."""
        study = self.get_object()
        return Response(ItemFlagSerializer(selectors.item_flags(study), many=True).data)


# --- assignments and ratings ---


class AssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The calling user's own assignments. Anyone else's answers 404."""

    queryset = Assignment.objects.none()
    serializer_class = AssignmentSerializer
    filterset_fields = ["study", "status"]

    def get_queryset(self):
        return selectors.assignments_own(self.request.user)

    def _own(self, pk) -> Assignment:
        """The caller's own assignment for a rater action, read once (the engine takes this copy): the
        engine's own read (`rater_context.own_assignment`)."""
        if not str(pk).isdigit():
            raise Http404
        assignment = own_assignment(self.request.user, int(pk))
        if assignment is None:
            raise Http404
        return assignment

    @extend_schema(request=SubmitSerializer, responses={200: RatingSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a response (validated against the rubric). The same response twice is answered with
        the first rating; a different one is a 409 (ask a curator to correct it)."""
        assignment = self._own(pk)
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rating = engine.assignment_submit(
            assignment=assignment,
            assignment_id=int(pk),
            rater=request.user,
            response=serializer.validated_data["response"],
            time_spent_ms=serializer.validated_data.get("time_spent_ms"),
        )
        return Response(RatingSerializer(rating).data)

    @extend_schema(request=SkipSerializer, responses={200: AssignmentSerializer})
    @action(detail=True, methods=["post"])
    def skip(self, request, pk=None):
        """Skip the item, optionally with a `reason` (one of the skip reasons)."""
        if not str(pk).isdigit():
            raise Http404
        serializer = SkipSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = engine.assignment_skip(  # 404 if not yours
            assignment_id=int(pk), rater=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(AssignmentSerializer(assignment).data)

    @extend_schema(request=ItemFlagCreateSerializer, responses={201: ItemFlagSerializer})
    @action(detail=True, methods=["post"])
    def flag(self, request, pk=None):
        """Flag this item for the study's curators (`kind`: broken_text, offensive or other, with a
        `note` for other)."""
        assignment = self._own(pk)
        serializer = ItemFlagCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        flag = services.item_flag_create(
            assignment=assignment, rater=request.user, **serializer.validated_data
        )
        return Response(ItemFlagSerializer(flag).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SubmitSerializer, responses={200: SubmitSerializer})
    @action(detail=True, methods=["put"])
    def draft(self, request, pk=None):
        """Save unfinished answers (kept only where they fit the rubric)."""
        assignment = self._own(pk)
        kept = engine.assignment_draft_save(
            assignment=assignment,
            assignment_id=assignment.pk,
            rater=request.user,
            draft=request.data.get("response", {}),
        )
        return Response({"response": kept})

    @extend_schema(request=CorrectSerializer, responses={201: RatingSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Correct your own submitted rating while the study is open: a new version, the old one kept."""
        assignment = self.get_object()
        rating = assignment.ratings.filter(is_current=True).first()
        if rating is None:
            raise Conflict("This assignment has no submitted rating to correct.")
        serializer = CorrectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        corrected = services.rating_correct(
            rating_id=rating.pk, actor=request.user, **serializer.validated_data
        )
        return Response(RatingSerializer(corrected).data, status=status.HTTP_201_CREATED)


class RatingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every rating version (curators); `POST ratings/{id}/correct/` records a correction."""

    queryset = Rating.objects.select_related("assignment__rater", "assignment__group").order_by("id")
    serializer_class = CuratorRatingSerializer
    permission_classes = [IsCurator]
    filterset_fields = {"assignment__study": ["exact"], "is_current": ["exact"]}

    @extend_schema(request=CorrectSerializer, responses={201: CuratorRatingSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        rating = self.get_object()
        serializer = CorrectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        corrected = services.rating_correct(
            rating_id=rating.pk, actor=request.user, **serializer.validated_data
        )
        return Response(CuratorRatingSerializer(corrected).data, status=status.HTTP_201_CREATED)


# --- raters (curators) ---


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
        quality.flags_refresh_all(study=self._study)  # the figures read open flags
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        quality.flags_refresh_all()  # one rater's figures span every study
        return super().retrieve(request, *args, **kwargs)

    @cached_property
    def _study(self):
        """The `?study=` of a list request, looked up once (None without one or for other actions)."""
        if self.action != "list":
            return None
        study_id = self.request.query_params.get("study", "")
        if not study_id:
            return None
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
        """The rater as it is now, with its figures (flags brought up to date first)."""
        quality.flags_refresh_all()
        return Response(
            self.get_serializer(RaterProfile.objects.select_related("user", "group").get(pk=profile.pk)).data
        )
