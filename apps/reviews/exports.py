"""`GET /api/v1/exports/ratings.{jsonl,csv}`: every current rating in long format, streamed.

One row per rating and answered rubric question (`jsonb_each` over the response), built by ONE SQL query.
For JSONL PostgreSQL also writes the JSON: each line is assembled from a per-item part (formatted once per
item), a per-rating part (once per rating) and the question's key and value, and the lines stream
through `COPY … TO STDOUT` into the response in 64 KiB pieces: the web process only forwards bytes
(near `COPY` speed, constant memory; `bench/export_bench.py`). CSV reads plain columns from a
server-side cursor (2,000 rows at a time) and writes them with Python's csv module, neutralising cells.
Rows of one rating are consecutive; no other order is promised (sorting millions of rows costs more than
the export).

- **A/B undone.** A pairwise item records `swapped` when the seeded draw showed the study's first producer
  as Response B. For every single-choice question whose options include "a" and "b", the exported value
  is un-swapped: "a" always means the first producer (`producer_a`), "b" the second; `sides_swapped` says
  what the rater actually saw.
- **Pseudonymous raters.** `rater` is `HMAC-SHA256(key derived from SECRET_KEY, user id)`, first 16 hex
  digits: stable across exports and studies, never the username. The mapping is computed in Python for
  the raters of the exported assignments and joined in as an array (the key never reaches SQL).
- **Blinding.** Producer labels follow the results pages: in a double-blind study that is not closed they
  are coded ("Producer 1", "Producer 2").
- Only current versions are exported (`rating_version` > 1 means the rating was corrected); gold and
  practice items are included and marked by `item_role` (filter `item_role=regular` to leave them out).
"""

from django.conf import settings
from django.db import connection
from django.utils.crypto import salted_hmac
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from apps.accounts.models import RaterGroup
from apps.core import exports
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
    "sides_swapped",
    "producer_a",
    "producer_b",
    "rater_group",
    "rater",
    "rating_id",
    "rating_version",
    "submitted_at",
    "time_spent_ms",
    "question_key",
    "value",
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


def _producer_label(alias: str) -> str:
    """The producer's label; coded while a double-blind study is open ("Producer n": its place among
    the study's producers, as on the results page, also in studies over more than two producers)."""
    return f"""CASE WHEN {alias}.id IS NULL THEN NULL
        WHEN s.blinding = 'double' AND s.status <> 'closed' THEN 'Producer ' || COALESCE((
            SELECT e.ord
            FROM jsonb_array_elements_text(s.source -> 'producers') WITH ORDINALITY AS e(pid, ord)
            WHERE e.pid = {alias}.id::text)::text, '?')
        WHEN {alias}.revision = '' THEN {alias}.name
        ELSE {alias}.name || ' (' || {alias}.revision || ')' END"""


# Per item: (field, SQL expression, JSON kind). Computed once per item, not once per row.
ITEM_COLUMNS = [
    ("study_id", "s.id", "number"),
    ("study", "s.name", "text"),
    ("rubric", "rb.name", "text"),
    ("rubric_version", "rb.version", "number"),
    ("item_id", "i.id", "number"),
    ("item_position", "i.position", "number"),
    ("item_kind", "i.kind", "text"),
    ("item_role", "i.role", "text"),
    ("question_set_id", "qs.id", "number"),
    ("question_set", "qs.name", "text"),
    ("question_id", "aa.question_id", "number"),
    ("pair_id", "i.pair_id", "number"),
    ("candidate_id", "i.candidate_id", "number"),
    ("sides_swapped", "i.swapped", "boolean"),
    ("producer_a", _producer_label("pa"), "text"),
    ("producer_b", _producer_label("pb"), "text"),
]
# Per rating (aliases of the rating-level query).
RATING_COLUMNS = [
    ("rater_group", "g.slug", "text"),
    ("rater", "p.pseudonym", "text"),
    ("rating_id", "r.id", "number"),
    ("rating_version", "r.version", "number"),
    ("submitted_at", "r.submitted_at", "text"),
    ("time_spent_ms", "a.time_spent_ms", "number"),
]

# "a" ↔ "b" on swapped items, for the questions whose options are the sides.
_VALUE = """CASE WHEN rr.swapped AND kv.value IN ('"a"'::jsonb, '"b"'::jsonb)
        AND (rr.rubric_id::text || ':' || kv.key) = ANY(%(side_keys)s::text[])
    THEN CASE WHEN kv.value = '"a"'::jsonb THEN '"b"'::jsonb ELSE '"a"'::jsonb END
    ELSE kv.value END"""


def _json_member(name: str, expr: str, kind: str, first: bool = False) -> str:
    """SQL text of `"name": <JSON of expr>` (null when expr is NULL)."""
    value = f"({expr})::text" if kind == "number" else f"to_json({expr})::text"
    return f"""'{"{" if first else ","}"{name}":' || COALESCE({value}, 'null')"""


def _item_filters(filters: dict) -> list[str]:
    where = []
    if "study" in filters:
        where.append("i.study_id = %(study)s")
    if "question_set" in filters:
        where.append("q.question_set_id = %(question_set)s")
    if "item_role" in filters:
        where.append("i.role = %(item_role)s")
    return where


def _rating_filters(filters: dict) -> list[str]:
    where = ["r.is_current"]
    if "study" in filters:
        where.append("a.study_id = %(study)s")
    if "rater_group" in filters:
        where.append("a.group_id = (SELECT id FROM {group} WHERE slug = %(rater_group)s)")
    if "submitted_after" in filters:
        where.append("r.submitted_at >= %(submitted_after)s")
    if "submitted_before" in filters:
        where.append("r.submitted_at < %(submitted_before)s")
    return where


def _items(filters: dict, select: str) -> str:
    """The items of the export with `select` computed per item (a subquery the planner keeps whole)."""
    t = _tables()
    where = _item_filters(filters)
    return f"""(SELECT i.id, i.swapped, s.rubric_id, {select}
        FROM {t["item"]} i
        JOIN {t["study"]} s ON s.id = i.study_id
        JOIN {t["rubric"]} rb ON rb.id = s.rubric_id
        LEFT JOIN {t["answer"]} aa ON aa.id = i.answer_a_id
        LEFT JOIN {t["answer"]} ab ON ab.id = i.answer_b_id
        LEFT JOIN {t["question"]} q ON q.id = aa.question_id
        LEFT JOIN {t["question_set"]} qs ON qs.id = q.question_set_id
        LEFT JOIN {t["producer"]} pa
            ON pa.id = (CASE WHEN i.swapped THEN ab.producer_id ELSE aa.producer_id END)
        LEFT JOIN {t["producer"]} pb
            ON pb.id = (CASE WHEN i.swapped THEN aa.producer_id ELSE ab.producer_id END)
        {"WHERE " + " AND ".join(where) if where else ""}
        OFFSET 0)"""


def _params(filters: dict) -> dict:
    return {name: value for name, value in filters.items()}


def _raters(filters: dict) -> tuple[list[int], list[str]]:
    raters = Assignment.objects.order_by().values_list("rater_id", flat=True).distinct()
    if "study" in filters:
        raters = raters.filter(study_id=filters["study"])
    ids = sorted(raters)
    return ids, [rater_pseudonym(pk) for pk in ids]


def _ratings(filters: dict, item_select: str, rating_select: str) -> tuple[str, dict]:
    """Current ratings joined to their items (`item_select` per item) and raters (`rating_select`)."""
    t = _tables()
    params = _params(filters)
    ids, pseudonyms = _raters(filters)
    params.update(rater_ids=ids, pseudonyms=pseudonyms, side_keys=_side_keys())
    where = " AND ".join(_rating_filters(filters)).format(group=t["group"])
    sql = f"""SELECT r.response, it.swapped, it.rubric_id, {rating_select}
        FROM {t["rating"]} r
        JOIN {t["assignment"]} a ON a.id = r.assignment_id
        JOIN {_items(filters, item_select)} it ON it.id = a.item_id
        JOIN {t["group"]} g ON g.id = a.group_id
        LEFT JOIN unnest(%(rater_ids)s::bigint[], %(pseudonyms)s::text[]) AS p(user_id, pseudonym)
            ON p.user_id = a.rater_id
        WHERE {where}
        OFFSET 0"""
    return sql, params


def ratings_query(filters: dict, fmt: str) -> tuple[str, dict]:
    """The export's SQL and parameters.

    JSONL: one text column, each row's JSON object, assembled from a per-item part, a per-rating part and
    the question's key and value (so the costly formatting runs once per item and once per rating, not
    once per row). CSV: one column per field, values as text (lists and numbers as JSON text)."""
    if fmt == "jsonl":
        item_head = " || ".join(_json_member(*c, first=n == 0) for n, c in enumerate(ITEM_COLUMNS))
        rating_head = " || ".join(["it.head", *(_json_member(*c) for c in RATING_COLUMNS)])
        sql, params = _ratings(filters, f"{item_head} AS head", f"{rating_head} AS head")
        row = f"""rr.head || ',"question_key":' || to_json(kv.key)::text
            || ',"value":' || ({_VALUE})::text || '}}'"""
    else:
        item_select = ", ".join(f"{expr} AS {name}" for name, expr, _ in ITEM_COLUMNS)
        rating_select = ", ".join(
            [f"it.{name}" for name, _, _ in ITEM_COLUMNS]
            + [f"{expr} AS {name}" for name, expr, _ in RATING_COLUMNS]
        )
        sql, params = _ratings(filters, item_select, rating_select)
        value = (
            f"CASE WHEN jsonb_typeof(kv.value) = 'string' THEN ({_VALUE}) #>> '{{}}' ELSE kv.value::text END"
        )
        row = ", ".join([*(f"rr.{name}" for name, _, _ in ITEM_COLUMNS + RATING_COLUMNS), "kv.key", value])
    return (
        f"SELECT {row} FROM ({sql}) rr CROSS JOIN LATERAL jsonb_each(rr.response) AS kv(key, value)",
        params,
    )


def ratings_count(filters: dict) -> int:
    """Rows the export will have: answered questions of the matching current ratings (few joins)."""
    t = _tables()
    # The study filter is on the assignment already; the item-level ones need the item's joins.
    where = _rating_filters(filters) + _item_filters({k: v for k, v in filters.items() if k != "study"})
    joins = ""
    if set(filters) & {"question_set", "item_role"}:
        joins = f"""JOIN {t["item"]} i ON i.id = a.item_id
            LEFT JOIN {t["answer"]} aa ON aa.id = i.answer_a_id
            LEFT JOIN {t["question"]} q ON q.id = aa.question_id"""
    sql = f"""SELECT COALESCE(sum((SELECT count(*) FROM jsonb_object_keys(r.response))), 0)::bigint
        FROM {t["rating"]} r JOIN {t["assignment"]} a ON a.id = r.assignment_id {joins}
        WHERE {" AND ".join(where).format(group=t["group"])}"""
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(filters))
        return cursor.fetchone()[0]


def ratings_export(*, fmt: str, filters: dict):
    """The streamed download (see apps/core/exports.py for the manifest and the snapshot). JSONL goes
    through `COPY … TO STDOUT` (the lines are ready-made JSON); CSV through a server-side cursor."""
    # The query is built inside the snapshot, so its rater pseudonyms cover every rater it can meet.
    if fmt == "jsonl":
        body = {"jsonl_chunks": lambda: exports.copy_lines(*ratings_query(filters, fmt))}
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
    def get(self, request):
        return ratings_export(fmt=self.fmt, filters=filters_parse(request.query_params))


RatingsJsonlExport, RatingsCsvExport = exports.export_views(
    _RatingsExportView,
    name="Ratings",
    parameters=[RatingExportFilters],
    jsonl=(
        "Current ratings in long format (one row per rating and question, A/B un-swapped), streamed.",
        "One JSON object per rating and answered question (`?manifest=1`: the manifest first).",
    ),
    csv=(
        "The same rows as the JSONL export, as CSV (lists as JSON text, cells neutralised).",
        "One row per rating and answered question; the manifest in X-Export-Manifest.",
    ),
)
