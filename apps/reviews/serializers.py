"""Serializers of the reviews API (`api.py`): they validate requests and shape answers, never write.

Rater-facing shapes (`RaterStudySerializer`, `AssignmentSerializer`) carry no producer, seed or source;
the curator-facing ones do. Quality control's serializers sit beside their views in `quality/api.py`.
"""

from rest_framework import serializers

from apps.accounts.models import RaterProfile
from apps.reviews import selectors, services
from apps.reviews.models import Assignment, ItemFlag, Rating, Rubric, Study


class RubricSerializer(serializers.ModelSerializer):
    frozen = serializers.SerializerMethodField()

    class Meta:
        model = Rubric
        fields = [
            "id",
            "name",
            "kind",
            "version",
            "description",
            "definition",
            "previous",
            "frozen",
            "min_seconds",
            "created_at",
        ]
        read_only_fields = ["version", "previous", "frozen", "created_at"]

    def get_frozen(self, rubric) -> bool:
        return services.rubric_is_frozen(rubric)


class QuotaField(serializers.DictField):
    child = serializers.IntegerField(min_value=0, max_value=50)


class StudySerializer(serializers.ModelSerializer):
    rubric_name = serializers.CharField(source="rubric.__str__", read_only=True)
    kind = serializers.CharField(read_only=True)
    quotas = serializers.SerializerMethodField()
    item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Study
        fields = [
            "id",
            "name",
            "description",
            "rater_title",
            "rater_instructions",
            "rubric",
            "rubric_name",
            "kind",
            "status",
            "blinding",
            "seed",
            "lease_minutes",
            "quotas",
            "source",
            "item_count",
            "created_at",
            "launched_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_quotas(self, study) -> dict[str, int]:
        return {quota.group.slug: quota.quota for quota in study.quotas.select_related("group")}


class RaterStudySerializer(serializers.ModelSerializer):
    """What a rater sees of a study: its rater-facing title and instructions; never the internal name
    or description, the producers, the seed or the source."""

    title = serializers.CharField(source="title_for_raters", read_only=True)
    instructions = serializers.CharField(source="rater_instructions", read_only=True)
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = Study
        fields = ["id", "title", "instructions", "kind", "status"]
        read_only_fields = fields


class StudyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False, help_text="Internal."
    )
    rater_title = serializers.CharField(
        required=False, allow_blank=True, default="", help_text='What raters see (empty: "Study <id>").'
    )
    rater_instructions = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False, help_text="What raters read."
    )
    rubric = serializers.PrimaryKeyRelatedField(queryset=Rubric.objects.all())
    question_set = serializers.IntegerField(
        required=False, help_text="EquityMedQA rubrics: the question set."
    )
    producers = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="One producer id; two for pairwise."
    )
    candidates = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Simplification: model candidate ids."
    )
    segments = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Simplification: corpus segment ids."
    )
    texts = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text='Simplification: [{"original", "candidate"}].',
    )
    quotas = QuotaField(help_text='Ratings per item per rater group slug, e.g. {"physician": 3}.')
    blinding = serializers.ChoiceField(choices=Study.Blinding.choices, default=Study.Blinding.RATERS)
    seed = serializers.IntegerField(required=False, min_value=0, allow_null=True)
    lease_minutes = serializers.IntegerField(default=30, min_value=1, max_value=1440)
    limit = serializers.IntegerField(required=False, min_value=1, allow_null=True)


class PreassignSerializer(serializers.Serializer):
    rater = serializers.CharField(help_text="Username of the rater.")
    items = serializers.ListField(child=serializers.IntegerField(), min_length=1, help_text="Study item ids.")


_DATETIME = serializers.DateTimeField()


def _datetime(value):
    return None if value is None else _DATETIME.to_representation(value)


class AssignmentSerializer(serializers.ModelSerializer):
    """The rater's view of an assignment: the item's texts and the rubric, never the producers."""

    study = RaterStudySerializer(read_only=True)
    # Declared: a read-only model field would lose `allow_blank`, and "" (not skipped) is the common value.
    skip_reason = serializers.ChoiceField(
        choices=Assignment.SkipReason.choices, allow_blank=True, read_only=True
    )
    item = serializers.SerializerMethodField()
    rubric = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "study",
            "status",
            "preassigned",
            "leased_at",
            "lease_expires_at",
            "submitted_at",
            "time_spent_ms",
            "draft",
            "skip_reason",
            "item",
            "rubric",
            "rating",
        ]
        read_only_fields = fields

    def to_representation(self, assignment):
        """The declared fields' values, built directly: this is the answer to every `next/` and DRF's
        per-field machinery cost more than the rest of the answer (tests hold both equal)."""
        study, rubric = assignment.study, assignment.study.rubric
        return {
            "id": assignment.pk,
            "study": {
                "id": study.pk,
                "title": study.title_for_raters,
                "instructions": study.rater_instructions,
                "kind": rubric.kind,
                "status": study.status,
            },
            "status": assignment.status,
            "preassigned": assignment.preassigned,
            "leased_at": _datetime(assignment.leased_at),
            "lease_expires_at": _datetime(assignment.lease_expires_at),
            "submitted_at": _datetime(assignment.submitted_at),
            "time_spent_ms": assignment.time_spent_ms,
            "draft": assignment.draft,
            "skip_reason": assignment.skip_reason,
            "item": self.get_item(assignment),
            "rubric": self.get_rubric(assignment),
            "rating": self.get_rating(assignment),
        }

    def representation_by_fields(self, assignment):
        """The same answer through DRF's fields (what `to_representation` must equal)."""
        return super().to_representation(assignment)

    def get_item(self, assignment) -> dict:
        # The item with its texts when the assignment came with them (`selectors.ITEM_VIEW_RELATIONS`),
        # else loaded by id in one query.
        if Assignment.item.is_cached(assignment):
            return selectors.item_for_rater(assignment.item)
        return selectors.item_for_rater(assignment.item_id)

    def get_rubric(self, assignment) -> dict:
        rubric = assignment.study.rubric
        return {
            "id": rubric.pk,
            "name": rubric.name,
            "version": rubric.version,
            "definition": rubric.definition,
        }

    def get_rating(self, assignment) -> dict | None:
        if assignment.status != Assignment.Status.SUBMITTED:
            return None  # only a submitted assignment has ratings
        rating = assignment.ratings.filter(is_current=True).first()
        return RatingSerializer(rating).data if rating else None


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["id", "assignment", "version", "response", "is_current", "submitted_at", "reason"]
        read_only_fields = fields


class SubmitSerializer(serializers.Serializer):
    response = serializers.JSONField(help_text="Question key → answer, as the rubric defines.")
    time_spent_ms = serializers.IntegerField(required=False, min_value=0, allow_null=True)


class SkipSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=Assignment.SkipReason.choices, required=False, allow_blank=True, default=""
    )


class ItemFlagCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ItemFlag.Kind.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)


class ItemFlagSerializer(serializers.ModelSerializer):
    """An item flag as curators read it (the rater's own flag answer carries the same fields)."""

    item_position = serializers.IntegerField(source="item.position", read_only=True)
    rater = serializers.CharField(source="rater.username", read_only=True)

    class Meta:
        model = ItemFlag
        fields = ["id", "study", "item", "item_position", "assignment", "rater", "kind", "note", "created_at"]
        read_only_fields = fields


class CorrectSerializer(serializers.Serializer):
    response = serializers.JSONField()
    reason = serializers.CharField(max_length=500)


class EstimateSerializer(serializers.Serializer):
    """How one row's number was computed (unrounded), in the order of the table's rows."""

    labels = serializers.DictField(child=serializers.JSONField(), help_text="The row's label columns.")
    statistic = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    confidence_level = serializers.FloatField()
    interval_method = serializers.ChoiceField(choices=["BCa bootstrap", "Clopper–Pearson", "none"])
    n_resamples = serializers.IntegerField(
        allow_null=True, help_text="Bootstrap resamples; null: none drawn."
    )
    n_resamples_undefined = serializers.IntegerField(
        help_text="Resamples in which the statistic is undefined."
    )
    resampling_unit = serializers.CharField(allow_null=True)
    seed = serializers.IntegerField(allow_null=True)
    n_items = serializers.IntegerField()
    n_ratings = serializers.IntegerField()
    n_items_left_out = serializers.IntegerField()
    left_out_reason = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)


class ResultTableSerializer(serializers.Serializer):
    """One results table (also downloadable as CSV from the results page). Rows hold unrounded values;
    tables of estimates also name the statistic and carry one `estimates` entry per row."""

    key = serializers.CharField()
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))
    note = serializers.CharField(allow_blank=True)
    section = serializers.ChoiceField(
        choices=["results", "between_groups", "calibration"],
        help_text="Where the results page shows it: calibration tables compare model raters with people "
        "and are the only tables that read model ratings.",
    )
    methods = serializers.CharField(required=False, help_text="The table's own Methods sentence.")
    statistic = serializers.CharField(required=False)
    confidence_level = serializers.FloatField(required=False)
    interval_methods = serializers.ListField(child=serializers.CharField(), required=False)
    n_resamples = serializers.IntegerField(required=False)
    resampling_unit = serializers.CharField(required=False)
    seed = serializers.IntegerField(required=False)
    estimates = EstimateSerializer(many=True, required=False)


class _StudyTablesSerializer(serializers.Serializer):
    study = serializers.IntegerField()
    seed = serializers.IntegerField()
    exclude_flagged = serializers.BooleanField()
    excluded_raters = serializers.ListField(child=serializers.DictField(child=serializers.JSONField()))
    flagged_raters = serializers.ListField(child=serializers.DictField(child=serializers.JSONField()))


class StudyResultsSerializer(_StudyTablesSerializer):
    methods = serializers.CharField(
        help_text="The Methods paragraph: statistics, intervals, seed, exclusions."
    )
    tables = ResultTableSerializer(many=True)


class StudyAgreementSerializer(_StudyTablesSerializer):
    methods = serializers.CharField(
        help_text="The Methods paragraph: statistics, intervals, seed, exclusions."
    )
    table = ResultTableSerializer()
    between_groups = ResultTableSerializer(many=True, help_text="Agreement between rater groups.")


class CuratorRatingSerializer(RatingSerializer):
    rater = serializers.CharField(source="assignment.rater.username", read_only=True)
    group = serializers.CharField(source="assignment.group.slug", read_only=True)
    study = serializers.IntegerField(source="assignment.study_id", read_only=True)
    item = serializers.IntegerField(source="assignment.item_id", read_only=True)

    class Meta(RatingSerializer.Meta):
        fields = [*RatingSerializer.Meta.fields, "rater", "group", "study", "item"]
        read_only_fields = fields


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
