"""`GET /api/v1/exports/ratings.{jsonl,csv}`: every current rating in long format, streamed.

One row per rating and answered rubric question (`jsonb_each` over the response), built by ONE SQL query
that PostgreSQL also serialises: the JSONL body is the database's own `json_build_object(...)::text`, read
from a server-side cursor in chunks of 2,000 rows, so the web process only joins lines (near `COPY`
speed, constant memory; `bench/export_bench.py`).

- **A/B undone.** A pairwise item records `swapped` when the seeded draw showed the study's first producer
  as Response B. For every single-choice question whose options include "a" and "b", the exported value
  is un-swapped: "a" always means the first producer (`producer_a`), "b" the second; `sides_swapped` says
  what the rater actually saw.
- **Pseudonymous raters.** `rater` is `HMAC-SHA256(key derived from SECRET_KEY, user id)`, first 16 hex
  digits: stable across exports and studies, never the username. The mapping is computed in Python for
  the raters of the exported assignments and joined in as an array (the key never reaches SQL).
- **Blinding.** Producer labels follow the results pages: in a double-blind study that is not closed they
  are coded ("Producer 1", "Producer 2").
- Only current versions are exported (`rating_version` > 1 means the rating was corrected).
"""

from django.conf import settings
from django.db import connection
from django.utils.crypto import salted_hmac
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from apps.accounts.models import RaterGroup
from apps.core import exports
from apps.core.api import IsCurator
from apps.equity.models import Answer, Producer, Question, QuestionSet
from apps.reviews.models import Assignment, Rating, Rubric, Study, StudyItem

SCHEMA_VERSION = 1
PSEUDONYM_SALT = "equitext.exports.rater"

FIELDS = [
    "study_id",
    "study",
    "rubric",
    "rubric_version",
    "item_id",
    "item_position",
    "item_kind",
    "item_role",
    "question_set_id",
    "question_set",
    "question_id",
    "pair_id",
    "candidate_id",
    "rater_group",
    "rater",
    "rating_id",
    "rating_version",
    "submitted_at",
    "time_spent_ms",
    "question_key",
    "value",
    "sides_swapped",
    "producer_a",
    "producer_b",
]


class RatingExportFilters(serializers.Serializer):
    study = serializers.IntegerField(required=False, min_value=1, help_text="Study id.")
    rater_group = serializers.SlugField(required=False, help_text="Rater group slug, e.g. physician.")
    question_set = serializers.IntegerField(required=False, min_value=1, help_text="Question set id.")
    item_role = serializers.ChoiceField(
        required=False, choices=StudyItem.Role.choices, help_text="Only regular, gold or practice items."
    )
    submitted_after = serializers.DateTimeField(required=False, help_text="Submitted at or after (ISO 8601).")
    submitted_before = serializers.DateTimeField(required=False, help_text="Submitted before (ISO 8601).")

    def validate_rater_group(self, slug):
        if not RaterGroup.objects.filter(slug=slug).exists():
            known = ", ".join(RaterGroup.objects.order_by("slug").values_list("slug", flat=True))
            raise serializers.ValidationError(f"Unknown rater group {slug!r}; use one of: {known}.")
        return slug


def filters_parse(params) -> dict:
    """Query parameters → cleaned filters; a bad value is a 400 naming the parameter."""
    serializer = RatingExportFilters(
        data={k: v for k, v in params.items() if k in RatingExportFilters().fields}
    )
    if not serializer.is_valid():
        raise ValidationError(serializer.errors)
    return dict(serializer.validated_data)


def rater_pseudonym(user_id: int) -> str:
    """Stable pseudonymous rater id: HMAC-SHA256 of the user id under a key derived from SECRET_KEY."""
    digest = salted_hmac(PSEUDONYM_SALT, str(user_id), secret=settings.SECRET_KEY, algorithm="sha256")
    return "r_" + digest.hexdigest()[:16]


def _side_keys() -> list[str]:
    """Keys `<rubric id>:<question key>` of every single-choice question offering sides "a" and "b"."""
    keys = []
    for rubric_id, definition in Rubric.objects.filter(kind=Rubric.Kind.PAIRWISE).values_list(
        "id", "definition"
    ):
        for question in (definition or {}).get("questions", []):
            values = {option.get("value") for option in question.get("options") or []}
            if question.get("type") == "single" and {"a", "b"} <= values:
                keys.append(f"{rubric_id}:{question['key']}")
    return keys


def _tables() -> dict:
    models = {
        "rating": Rating,
        "assignment": Assignment,
        "item": StudyItem,
        "study": Study,
        "rubric": Rubric,
        "group": RaterGroup,
        "answer": Answer,
        "question": Question,
        "question_set": QuestionSet,
        "producer": Producer,
    }
    return {name: model._meta.db_table for name, model in models.items()}


def _where(filters: dict) -> tuple[list[str], dict]:
    where, params = ["r.is_current"], {}
    if "study" in filters:
        where.append("a.study_id = %(study)s")
        params["study"] = filters["study"]
    if "rater_group" in filters:
        where.append("g.slug = %(rater_group)s")
        params["rater_group"] = filters["rater_group"]
    if "question_set" in filters:
        where.append("q.question_set_id = %(question_set)s")
        params["question_set"] = filters["question_set"]
    if "item_role" in filters:
        where.append("i.role = %(item_role)s")
        params["item_role"] = filters["item_role"]
    if "submitted_after" in filters:
        where.append("r.submitted_at >= %(submitted_after)s")
        params["submitted_after"] = filters["submitted_after"]
    if "submitted_before" in filters:
        where.append("r.submitted_at < %(submitted_before)s")
        params["submitted_before"] = filters["submitted_before"]
    return where, params


def _raters(filters: dict) -> tuple[list[int], list[str]]:
    raters = Assignment.objects.order_by().values_list("rater_id", flat=True).distinct()
    if "study" in filters:
        raters = raters.filter(study_id=filters["study"])
    ids = sorted(raters)
    return ids, [rater_pseudonym(pk) for pk in ids]


def _from(filters: dict, raters: bool = False) -> tuple[str, dict]:
    """FROM … WHERE of the export (and of its count); `raters` joins the pseudonym array in."""
    t = _tables()
    where, params = _where(filters)
    sql = f"""
        FROM {t["rating"]} r
        JOIN {t["assignment"]} a ON a.id = r.assignment_id
        JOIN {t["item"]} i ON i.id = a.item_id
        JOIN {t["study"]} s ON s.id = a.study_id
        JOIN {t["rubric"]} rb ON rb.id = s.rubric_id
        JOIN {t["group"]} g ON g.id = a.group_id
        LEFT JOIN {t["answer"]} aa ON aa.id = i.answer_a_id
        LEFT JOIN {t["answer"]} ab ON ab.id = i.answer_b_id
        LEFT JOIN {t["question"]} q ON q.id = aa.question_id
        LEFT JOIN {t["question_set"]} qs ON qs.id = q.question_set_id
        LEFT JOIN {t["producer"]} pa
            ON pa.id = (CASE WHEN i.swapped THEN ab.producer_id ELSE aa.producer_id END)
        LEFT JOIN {t["producer"]} pb
            ON pb.id = (CASE WHEN i.swapped THEN aa.producer_id ELSE ab.producer_id END)
        {_RATERS if raters else ""}
        CROSS JOIN LATERAL jsonb_each(r.response) AS kv(key, value)
        WHERE {" AND ".join(where)}"""
    return sql, params


_RATERS = """LEFT JOIN unnest(%(rater_ids)s::bigint[], %(pseudonyms)s::text[]) AS p(user_id, pseudonym)
            ON p.user_id = a.rater_id"""


def _producer_label(alias: str, code: str) -> str:
    """The producer's label; coded while a double-blind study is open (first producer: "Producer 1")."""
    return f"""CASE WHEN {alias}.id IS NULL THEN NULL
        WHEN s.blinding = 'double' AND s.status <> 'closed' THEN '{code}'
        WHEN {alias}.revision = '' THEN {alias}.name
        ELSE {alias}.name || ' (' || {alias}.revision || ')' END"""


_VALUE = """CASE WHEN i.swapped AND kv.value IN ('"a"'::jsonb, '"b"'::jsonb)
        AND (rb.id::text || ':' || kv.key) = ANY(%(side_keys)s::text[])
    THEN CASE WHEN kv.value = '"a"'::jsonb THEN '"b"'::jsonb ELSE '"a"'::jsonb END
    ELSE kv.value END"""


def _columns(value: str) -> list[tuple[str, str]]:
    """(field, SQL expression) in FIELDS order."""
    return [
        ("study_id", "s.id"),
        ("study", "s.name"),
        ("rubric", "rb.name"),
        ("rubric_version", "rb.version"),
        ("item_id", "i.id"),
        ("item_position", "i.position"),
        ("item_kind", "i.kind"),
        ("item_role", "i.role"),
        ("question_set_id", "qs.id"),
        ("question_set", "qs.name"),
        ("question_id", "aa.question_id"),
        ("pair_id", "i.pair_id"),
        ("candidate_id", "i.candidate_id"),
        ("rater_group", "g.slug"),
        ("rater", "p.pseudonym"),
        ("rating_id", "r.id"),
        ("rating_version", "r.version"),
        ("submitted_at", "r.submitted_at"),
        ("time_spent_ms", "a.time_spent_ms"),
        ("question_key", "kv.key"),
        ("value", value),
        ("sides_swapped", "i.swapped"),
        ("producer_a", _producer_label("pa", "Producer 1")),
        ("producer_b", _producer_label("pb", "Producer 2")),
    ]


def ratings_query(filters: dict, fmt: str) -> tuple[str, dict]:
    """The export's SQL and parameters. JSONL: one text column holding each row's JSON object; CSV: one
    column per field (values as text; lists and numbers as JSON text)."""
    body, params = _from(filters, raters=True)
    ids, pseudonyms = _raters(filters)
    params.update(side_keys=_side_keys(), rater_ids=ids, pseudonyms=pseudonyms)
    if fmt == "jsonl":
        columns = _columns(_VALUE)
        pairs = ", ".join(f"'{name}', {expr}" for name, expr in columns)
        select = f"SELECT json_build_object({pairs})::text"
    else:
        text_value = (
            f"CASE WHEN jsonb_typeof(kv.value) = 'string' THEN ({_VALUE}) #>> '{{}}' ELSE kv.value::text END"
        )
        select = "SELECT " + ", ".join(expr for _, expr in _columns(text_value))
    return f"{select} {body} ORDER BY r.id, kv.key", params


def ratings_count(filters: dict) -> int:
    body, params = _from(filters)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {body}", params)
        return cursor.fetchone()[0]


def ratings_export(*, fmt: str, filters: dict):
    """The streamed download (see apps/core/exports.py for the manifest and the snapshot)."""
    # The query is built inside the snapshot: its rater pseudonyms cover every rater it can meet.
    if fmt == "jsonl":

        def jsonl_chunks():
            for rows in exports.sql_chunks(*ratings_query(filters, fmt)):
                yield "\n".join([row[0] for row in rows]) + "\n"

        body = {"jsonl_chunks": jsonl_chunks}
    else:

        def rows():
            for chunk in exports.sql_chunks(*ratings_query(filters, fmt)):
                yield from chunk

        body = {"rows": rows}
    return exports.export_response(
        name="ratings",
        fmt=fmt,
        schema_version=SCHEMA_VERSION,
        fields=FIELDS,
        filters=filters,
        count=lambda: ratings_count(filters),
        **body,
    )


class _RatingsExportView(APIView):
    permission_classes = [IsCurator]
    content_negotiation_class = exports.AnyAccept
    fmt = ""

    def get(self, request):
        return ratings_export(fmt=self.fmt, filters=filters_parse(request.query_params))


@extend_schema(
    parameters=[RatingExportFilters],
    responses=exports.export_schema_responses(
        "jsonl", "A manifest line, then one JSON object per rating and answered question."
    ),
)
class RatingsJsonlExport(_RatingsExportView):
    """Current ratings in long format (one row per rating and question, A/B un-swapped), streamed."""

    fmt = "jsonl"


@extend_schema(
    parameters=[RatingExportFilters],
    responses=exports.export_schema_responses(
        "csv", "One row per rating and answered question; the manifest in X-Export-Manifest."
    ),
)
class RatingsCsvExport(_RatingsExportView):
    """The same rows as the JSONL export, as CSV (lists as JSON text, cells neutralised)."""

    fmt = "csv"
