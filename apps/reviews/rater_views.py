"""HTML pages of raters: their queue, the item page (rate, submit, skip with a reason, drafts, flag
the item), their own ratings in a study and corrections.

Rater pages only ever load the rater's own assignments (`selectors.assignment_own`): anything else is a
404, the same answer as for an id that does not exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.core.roles import RATE
from apps.reviews import assignment as engine
from apps.reviews import kinds, selectors, services
from apps.reviews.forms import rating_fields, response_from_post
from apps.reviews.models import Assignment, ItemFlag, Study
from apps.reviews.rater_context import rater_progress
from apps.reviews.rubric import RubricError


@login_required
@permission_required(RATE, raise_exception=True)
def queue(request):
    """The rater's work queue: the studies they take part in, with their progress."""
    return render(
        request,
        "reviews/queue.html",
        {
            "profile": getattr(request.user, "rater_profile", None),
            "queue": selectors.rater_queue(request.user),
        },
    )


def _item_context(
    assignment: Assignment, values=None, errors=None, notice: str = "", reason: str = "", reason_error=""
) -> dict:
    definition = assignment.study.rubric.definition
    current = None
    if assignment.status == Assignment.Status.SUBMITTED:  # only then is there a rating to show
        current = assignment.ratings.filter(is_current=True).first()
    if values is None:
        values = current.response if current else assignment.draft
    # a submitted rating can be corrected by its rater while the study is open (services.rating_correct)
    correctable = current is not None and assignment.study.status != Study.Status.CLOSED
    return {
        "rating": current,
        "correctable": correctable,
        "skip_reasons": Assignment.SkipReason.choices,
        "flag_kinds": ItemFlag.Kind.choices,
        "reason": reason,
        "reason_error": reason_error,
        "assignment": assignment,
        "study": assignment.study,
        "item": selectors.item_for_rater(
            assignment.item if Assignment.item.is_cached(assignment) else assignment.item_id
        ),
        "instructions": definition.get("instructions", ""),
        "fields": rating_fields(definition, values, errors),
        "errors": errors,
        "notice": notice,
        "progress": _progress(assignment),
        "editable": assignment.status in (Assignment.Status.LEASED, Assignment.Status.EXPIRED) or correctable,
    }


def _progress(assignment: Assignment) -> dict:
    """The rater's "n of N" in the study (`rater_context.rater_progress`, one statement) and the seconds
    left on their lease (None for a pre-assignment, which never expires; 0 once it has expired)."""
    done, total = rater_progress(assignment.study_id, assignment.rater_id, assignment.group_id)
    seconds = None
    if assignment.status == Assignment.Status.EXPIRED:
        seconds = 0
    elif assignment.status == Assignment.Status.LEASED and assignment.lease_expires_at is not None:
        seconds = max(0, int((assignment.lease_expires_at - timezone.now()).total_seconds()))
    return {"done": done, "total": max(total, done), "lease_seconds": seconds}


def _render_item(request, assignment: Assignment, status: int = 200, **context):
    if own_page := kinds.kind_rater_url(assignment):  # a study kind with its own rater page (kinds.py)
        return _kind_page_redirect(request, own_page)
    page = _item_context(assignment, **context)
    if request.htmx:
        response = render(request, "reviews/rate.html#item", page, status=status)
        response["HX-Push-Url"] = reverse("reviews:rate", args=[assignment.pk])
        return response
    return render(request, "reviews/rate.html", page, status=status)


def _kind_page_redirect(request, url: str):
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _next_or_done(request, study: Study, notice: str = ""):
    """Lease the rater's next item of `study` and show it, or say that nothing is left."""
    try:
        assignment = engine.assignment_lease_next(study=study, rater=request.user)
    except engine.ConsentRequired:
        consent_url = reverse("reviews:study_consent", args=[study.pk])
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = consent_url
            return response
        return redirect(consent_url)
    except engine.AssignmentError as exc:
        assignment, notice = None, str(exc)
    if assignment is None:
        if request.htmx:
            return render(request, "reviews/rate.html#done", {"study": study, "notice": notice})
        if notice:
            messages.info(request, notice)
        messages.success(request, f'Nothing more to rate in "{study.title_for_raters}" for now. Thank you!')
        return redirect("accounts:queue")
    if request.htmx:
        return _render_item(request, assignment, notice=notice)
    if notice:
        messages.info(request, notice)
    return redirect("reviews:rate", pk=assignment.pk)


@require_POST
@login_required
@permission_required(RATE, raise_exception=True)
def rate_next(request, study_pk: int):
    study = selectors.study_for_rater(request.user, study_pk)
    if study is None:
        raise Http404("Not found, or not visible to your account.")
    return _next_or_done(request, study)


def _own(request, pk: int) -> Assignment:
    assignment = selectors.assignment_own(request.user, pk)
    if assignment is None:
        raise Http404("Not found, or not visible to your account.")
    return assignment


@login_required
@permission_required(RATE, raise_exception=True)
def rate(request, pk: int):
    return _render_item(request, _own(request, pk))


@require_POST
@login_required
@permission_required(RATE, raise_exception=True)
def rate_submit(request, pk: int):
    assignment = _own(request, pk)
    definition = assignment.study.rubric.definition
    response = response_from_post(definition, request.POST)
    spent = request.POST.get("time_spent_ms", "")
    try:
        engine.assignment_submit(
            assignment=assignment,
            assignment_id=assignment.pk,
            rater=request.user,
            response=response,
            time_spent_ms=int(spent) if spent.isdigit() else None,
        )
    except RubricError as exc:
        # htmx swaps only 2xx answers: the form comes back with its messages in place.
        return _render_item(
            request, assignment, status=200 if request.htmx else 400, values=response, errors=exc.errors
        )
    except engine.AssignmentError as exc:
        if exc.status == 404:
            raise Http404(str(exc)) from exc
        return _next_or_done(request, assignment.study, notice=str(exc))
    return _next_or_done(request, assignment.study, notice="Saved.")


@login_required
@permission_required(RATE, raise_exception=True)
def rate_mine(request, study_pk: int):
    """The rater's own submitted ratings in the study, latest first, each to open and correct."""
    study = selectors.study_for_rater(request.user, study_pk)
    if study is None:
        raise Http404("Not found, or not visible to your account.")
    return render(
        request,
        "reviews/rate_mine.html",
        {"study": study, "ratings": selectors.ratings_own(request.user, study)},
    )


@login_required
@permission_required(RATE, raise_exception=True)
def rate_previous(request, study_pk: int):
    """The rater's most recently submitted item of the study (their list when there is none)."""
    study = selectors.study_for_rater(request.user, study_pk)
    if study is None:
        raise Http404("Not found, or not visible to your account.")
    latest = selectors.ratings_own(request.user, study).first()
    if latest is None:
        messages.info(request, "You have not submitted an item in this study yet.")
        return redirect("reviews:rate_mine", study_pk=study.pk)
    return redirect("reviews:rate", pk=latest.assignment_id)


@require_POST
@login_required
@permission_required(RATE, raise_exception=True)
def rate_correct(request, pk: int):
    """Correct one's own submitted rating: a new version (services.rating_correct), audited; the old one
    is kept and the study's counts do not change."""
    assignment = _own(request, pk)
    response = response_from_post(assignment.study.rubric.definition, request.POST)
    reason = request.POST.get("reason", "")
    rating = assignment.ratings.filter(is_current=True).first()
    if assignment.status != Assignment.Status.SUBMITTED or rating is None:
        messages.error(request, "Only a submitted item can be corrected.")
        return redirect("reviews:rate", pk=pk)
    try:
        corrected = services.rating_correct(
            rating_id=rating.pk, response=response, actor=request.user, reason=reason
        )
    except RubricError as exc:
        return _render_item(
            request, assignment, status=400, values=response, errors=exc.errors, reason=reason
        )
    except ValidationError as exc:
        by_field = getattr(exc, "message_dict", {})
        if "reason" in by_field:
            return _render_item(
                request,
                assignment,
                status=400,
                values=response,
                reason=reason,
                reason_error=by_field["reason"][0],
            )
        messages.error(request, " ".join(exc.messages))
        return redirect("reviews:rate", pk=pk)
    messages.success(request, f"Correction saved (version {corrected.version}); the earlier answer is kept.")
    return redirect("reviews:rate", pk=pk)


@require_POST
@login_required
@permission_required(RATE, raise_exception=True)
def rate_skip(request, pk: int):
    try:
        assignment = engine.assignment_skip(
            assignment_id=pk, rater=request.user, reason=request.POST.get("skip_reason", "")
        )
    except engine.AssignmentError as exc:
        if exc.status == 404:
            raise Http404(str(exc)) from exc
        return _next_or_done(request, _own(request, pk).study, notice=str(exc))
    return _next_or_done(request, assignment.study, notice="Skipped.")


@require_POST
@login_required
@permission_required(RATE, raise_exception=True)
def rate_flag(request, pk: int):
    """Flag the item of one's own assignment for the curators. With htmx only the flag box is answered
    (the answers on screen stay as they are); without, the item page again."""
    assignment = _own(request, pk)
    try:
        services.item_flag_create(
            assignment=assignment,
            rater=request.user,
            kind=request.POST.get("kind", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        message, ok, status = " ".join(exc.messages), False, 400
    else:
        message, ok, status = "Thank you: the study's curators will see your flag.", True, 200
    if request.htmx:
        # htmx swaps only 2xx answers: a refusal comes back as 200 with its message in place
        return render(request, "reviews/rate.html#flag_status", {"message": message, "ok": ok})
    if ok:
        messages.success(request, message)
    else:
        messages.error(request, message)
    return redirect("reviews:rate", pk=pk) if ok else _render_item(request, assignment, status=status)


@require_POST
@login_required
@permission_required(RATE, raise_exception=True)
def rate_draft(request, pk: int):
    assignment = _own(request, pk)
    kept = engine.assignment_draft_save(
        assignment=assignment,
        assignment_id=assignment.pk,
        rater=request.user,
        draft=response_from_post(assignment.study.rubric.definition, request.POST),
    )
    return HttpResponse(f"Draft saved ({len(kept)} answer{'s' if len(kept) != 1 else ''}).")
