"""Corpus pages: lists, the side-by-side editor (htmx), history, import. Curators only."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.core.errors import ServiceError
from apps.core.roles import require_curator
from apps.corpus import import_services, selectors, services
from apps.corpus.diff import diff_stats, word_diff
from apps.corpus.exceptions import StaleVersion
from apps.corpus.forms import ImportForm, SegmentEditForm, SegmentFilterForm
from apps.corpus.imports import import_presets_described, split_names
from apps.corpus.models import Segment, Split, Status
from apps.metrics.grades import grade_summary
from apps.metrics.readability import readability_metrics
from apps.metrics.text_scores import text_scores_by_text

DEFAULT_TARGET_GRADE = 8.0


def _target_grade(request) -> float:
    raw = request.POST.get("target") or request.GET.get("target") or ""
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_TARGET_GRADE
    return value if 0 <= value <= 20 else DEFAULT_TARGET_GRADE


def _side(scores: dict | None, target: float, text: str) -> dict | None:
    if scores is None:
        return None
    return {**scores, "summary": grade_summary(scores, target=target, text=text)}


def _card(
    segment: Segment,
    target: float,
    scores: dict,
    *,
    text=None,
    form=None,
    conflict=None,
    version=None,
    fields=None,
) -> dict:
    """What the segment card shows. `text` is the simplified text in the editor (the draft being typed);
    `version` the version the editor's next save starts from (default: the stored one); `fields` the
    status, split and notes as the user left them (default: the stored ones)."""
    simplified = segment.simplified if text is None else text
    fields = fields or {}
    parts = word_diff(segment.original, simplified) if simplified.strip() else []
    return {
        "segment": segment,
        "text": simplified,
        "form": form,
        "conflict": conflict,
        "original_scores": _side(scores.get(segment.original), target, segment.original),
        "simplified_scores": _side(scores.get(simplified), target, simplified)
        if simplified.strip()
        else None,
        "diff": parts,
        "diff_stats": diff_stats(parts),
        "target": target,
        "version": version or segment.version,
        "status": fields.get("status", segment.status),
        "split": fields.get("split", segment.split),
        "notes": fields.get("notes", segment.notes),
        "status_choices": Status.choices,
        "split_choices": Split.choices,
    }


@login_required
def document_list(request):
    require_curator(request.user)
    documents = selectors.documents_visible_to(request.user).order_by("source__name", "title")
    topic = request.GET.get("topic", "")
    if topic:
        documents = documents.filter(topic__iexact=topic)
    page = Paginator(documents, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "corpus/document_list.html",
        {
            "page": page,
            "topics": selectors.topics(request.user),
            "topic": topic,
            "query": urlencode({"topic": topic}) if topic else "",
        },
    )


@login_required
def segment_list(request):
    require_curator(request.user)
    form = SegmentFilterForm(request.GET or None)
    segments = selectors.segments_filter(selectors.segments_visible_to(request.user), **form.filters())
    page = Paginator(segments, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "corpus/segment_list.html#results" if request.htmx else "corpus/segment_list.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "topics": selectors.topics(request.user), "query": query.urlencode()},
    )


@login_required
def document_detail(request, pk: int):
    require_curator(request.user)
    document = get_object_or_404(selectors.documents_visible_to(request.user), pk=pk)
    target = _target_grade(request)
    cards = _document_cards(request, document.pk, target)
    return render(
        request, "corpus/document_detail.html", {"document": document, "cards": cards, "target": target}
    )


def _document_cards(request, document_id: int, target: float, *, card: dict | None = None) -> list[dict]:
    """The cards of a document's segments, in order; `card`, when given, stands in for its segment's."""
    segments = list(
        selectors.segments_visible_to(request.user).filter(document=document_id).order_by("position")
    )
    scores = text_scores_by_text(t for s in segments for t in (s.original, s.simplified))
    return [
        card if card is not None and s.pk == card["segment"].pk else _card(s, target, scores)
        for s in segments
    ]


def _segment_for(request, pk: int) -> Segment:
    require_curator(request.user)
    return get_object_or_404(selectors.segments_visible_to(request.user), pk=pk)


@require_POST
@login_required
def segment_readability(request, pk: int):
    """The live panel while typing: both sides' metrics against the target, and the word diff."""
    segment = _segment_for(request, pk)
    text = request.POST.get("simplified", "")
    target = _target_grade(request)
    if len(text) > services.MAX_TEXT_CHARS:
        return render(
            request,
            "corpus/document_detail.html#too-long",
            {"segment": segment, "length": len(text), "limit": services.MAX_TEXT_CHARS},
        )
    # Drafts are scored without being stored: the cache keeps texts that were saved, not every keystroke.
    scores = text_scores_by_text([segment.original])
    if text.strip():
        scores[text] = readability_metrics(text)
    return render(
        request, "corpus/document_detail.html#live", {"card": _card(segment, target, scores, text=text)}
    )


@require_POST
@login_required
def segment_save(request, pk: int):
    segment = _segment_for(request, pk)
    target = _target_grade(request)
    form = SegmentEditForm(request.POST)
    status_code, conflict = 200, None
    if form.is_valid():
        data = form.cleaned_data
        try:
            segment = services.segment_update(
                segment_id=segment.pk,
                user=request.user,
                version=data["version"],
                simplified=data["simplified"],
                status=data["status"],
                split=data["split"],
                notes=data["notes"],
            )
            form = None
            messages_text = f"Saved as version {segment.version}."
        except StaleVersion as exc:
            segment = exc.current
            conflict = {"message": str(exc), "mine": data["simplified"], "theirs": exc.current.simplified}
            status_code, messages_text = 409, ""
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            status_code, messages_text = 400, ""
    else:
        status_code, messages_text = 400, ""
    if not request.htmx:
        if status_code == 200:
            messages.success(request, f"{segment}: {messages_text}")
            return redirect(
                f"{reverse('corpus:document_detail', args=[segment.document_id])}#segment-{segment.pk}"
            )
    text = None if status_code == 200 else request.POST.get("simplified", "")
    scores = text_scores_by_text([segment.original, segment.simplified])
    if text and text.strip():
        scores[text] = readability_metrics(text)
    # After a refused save the author keeps their text; a conflict moves them onto the current version
    # (they have now seen it), a form error keeps the version they started from.
    version = None if status_code != 400 else form.data.get("version")
    # A refused save keeps every field as the user left it, not only the text.
    fields = None
    if status_code != 200:
        fields = {
            name: request.POST.get(name, getattr(segment, name)) for name in ("status", "split", "notes")
        }
    card = _card(
        segment, target, scores, text=text, form=form, conflict=conflict, version=version, fields=fields
    )
    card["saved_message"] = messages_text
    if not request.htmx:  # a refused save without JavaScript: the page, with this segment's problem shown
        return _document_page_with(request, segment, card, target, status_code)
    return render(request, "corpus/document_detail.html#segment-card", {"card": card}, status=status_code)


def _document_page_with(request, segment, card, target, status_code):
    cards = _document_cards(request, segment.document_id, target, card=card)
    return render(
        request,
        "corpus/document_detail.html",
        {"document": segment.document, "cards": cards, "target": target},
        status=status_code,
    )


@login_required
def segment_history(request, pk: int):
    segment = _segment_for(request, pk)
    revisions = list(selectors.revisions_of(segment))
    entries = []
    for index, revision in enumerate(revisions):
        previous = revisions[index + 1] if index + 1 < len(revisions) else None
        before = previous.simplified if previous else revision.original
        entries.append(
            {
                "revision": revision,
                "diff": word_diff(before, revision.simplified),
                "against": f"version {previous.version}" if previous else "the original",
                "changes": _changes(previous, revision),
            }
        )
    return render(request, "corpus/segment_history.html", {"segment": segment, "entries": entries})


def _changes(previous, revision) -> list[str]:
    if previous is None:
        return []
    changes = []
    for field, label in (
        ("simplified", "text"),
        ("status", "status"),
        ("split", "split"),
        ("notes", "notes"),
    ):
        if getattr(previous, field) != getattr(revision, field):
            if field in ("status", "split"):
                changes.append(f"{label}: {getattr(previous, field)} → {getattr(revision, field)}")
            else:
                changes.append(f"{label} changed")
    return changes


@require_POST
@login_required
def segment_revert(request, pk: int):
    segment = _segment_for(request, pk)
    try:
        to_version = int(request.POST.get("to_version", ""))
        version = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, "Choose the version to restore.")
        return redirect("corpus:segment_history", pk=segment.pk)
    try:
        segment = services.segment_revert(
            segment_id=segment.pk, user=request.user, version=version, to_version=to_version
        )
        messages.success(request, f"Restored the text of version {to_version} as version {segment.version}.")
    except StaleVersion as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("corpus:segment_history", pk=segment.pk)


@login_required
def import_upload(request):
    require_curator(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    status_code = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            options = import_services.import_options(
                file_name=upload.name,
                preset=form.cleaned_data["preset"],
                format=form.cleaned_data["format"],
                mapping=form.mapping(),
                default_split=form.cleaned_data["default_split"],
                default_source=form.cleaned_data["default_source"],
                default_document=form.cleaned_data["default_document"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            status_code = 400
        else:
            batch = import_services.import_preview_start(
                upload=upload,
                file_name=upload.name,
                options=options,
                skip_invalid=form.cleaned_data["skip_invalid"],
                user=request.user,
            )
            return redirect("corpus:import_detail", pk=batch.pk)
    elif request.method == "POST":
        status_code = 400
    batches = selectors.import_batches_visible_to(request.user)[:10]
    context = {
        "form": form,
        "batches": batches,
        "presets": import_presets_described(),
        "split_names": split_names(),
    }
    return render(request, "corpus/import.html", context, status=status_code)


@require_POST
@login_required
def import_confirm(request, pk: int):
    """Write a previewed import (the preview page's "Import" button)."""
    require_curator(request.user)
    batch = get_object_or_404(selectors.import_batches_visible_to(request.user), pk=pk)
    try:
        batch = import_services.import_confirm(batch_id=batch.pk, user=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        if batch.job_id:
            messages.info(request, f"The file is large: it is being imported as job #{batch.job_id}.")
        elif batch.state == batch.State.DONE:
            messages.success(request, import_services.import_summary(batch))
    return redirect("corpus:import_detail", pk=pk)


@require_POST
@login_required
def import_cancel(request, pk: int):
    require_curator(request.user)
    batch = get_object_or_404(selectors.import_batches_visible_to(request.user), pk=pk)
    try:
        import_services.import_cancel(batch_id=batch.pk, user=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, "Import cancelled: nothing was written, and the uploaded file is deleted.")
    return redirect("corpus:import", permanent=False)


@login_required
def import_detail(request, pk: int):
    require_curator(request.user)
    batch = get_object_or_404(selectors.import_batches_visible_to(request.user), pk=pk)
    template = "corpus/import_detail.html#batch-status" if request.htmx else "corpus/import_detail.html"
    polling = bool(batch.job_id and batch.job and not batch.job.is_finished)
    return render(
        request,
        template,
        {
            "batch": batch,
            "job": batch.job,
            "polling": polling,
            "summary": import_services.import_summary(batch),
        },
    )
