"""Pages of the accounts app: the rater's queue; for curators the raters page (figures, filters, CSV,
deactivation) and invitations; the one-time sign-up page an invitation links to."""

import csv

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from apps.accounts import selectors, services
from apps.accounts.forms import InvitationForm, InvitationImportForm, PasswordResetForm, SignupForm
from apps.accounts.models import Invitation, RaterGroup, RaterProfile
from apps.core.roles import RATE, require_curator


@login_required
@permission_required(RATE, raise_exception=True)
def queue(request):
    """The rater's work queue: the studies they take part in, with their progress."""
    from apps.reviews.selectors import rater_queue

    return render(
        request,
        "accounts/queue.html",
        {"profile": getattr(request.user, "rater_profile", None), "queue": rater_queue(request.user)},
    )


# --- raters (curators) ---


def _rater_filters(request) -> dict:
    from apps.reviews.models import Study

    study_id = request.GET.get("study", "")
    return {
        "group": request.GET.get("group", ""),
        "active": request.GET.get("active", ""),
        "flagged": request.GET.get("flagged", ""),
        "search": request.GET.get("search", "").strip(),
        "study": Study.objects.filter(pk=study_id).first() if study_id.isdigit() else None,
    }


def _raters(filters: dict):
    profiles = selectors.raters_filtered(
        group=filters["group"],
        active=filters["active"],
        study=filters["study"],
        flagged=filters["flagged"],
        search=filters["search"],
    )
    return selectors.raters_with_figures(profiles, study=filters["study"])


@login_required
def rater_list(request):
    from apps.reviews.models import Study

    require_curator(request.user)
    filters = _rater_filters(request)
    return render(
        request,
        "accounts/rater_list.html",
        {
            "raters": _raters(filters),
            "filters": filters,
            "groups": RaterGroup.objects.order_by("name"),
            "studies": Study.objects.exclude(status=Study.Status.DRAFT).order_by("-created_at")[:200],
            "query": request.GET.urlencode(),
        },
    )


@login_required
def rater_csv(request):
    require_curator(request.user)
    filters = _rater_filters(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    suffix = f"-study-{filters['study'].pk}" if filters["study"] else ""
    response["Content-Disposition"] = f'attachment; filename="raters{suffix}.csv"'
    writer = csv.writer(response)
    writer.writerow(selectors.RATER_CSV_COLUMNS)
    writer.writerows(selectors.rater_csv_rows(_raters(filters)))
    return response


@require_POST
@login_required
def rater_deactivate(request, pk: int):
    require_curator(request.user)
    profile = get_object_or_404(RaterProfile, pk=pk)
    try:
        services.rater_deactivate(profile=profile, actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"{profile.user.username} is deactivated; their open items went back to the pool."
        )
    return redirect("accounts:rater_list")


@require_POST
@login_required
def rater_reactivate(request, pk: int):
    require_curator(request.user)
    profile = get_object_or_404(RaterProfile, pk=pk)
    services.rater_reactivate(profile=profile, actor=request.user)
    messages.success(request, f"{profile.user.username} can log in and rate again.")
    return redirect("accounts:rater_list")


# --- invitations (curators) ---


def _invitations_page(request, *, form=None, import_form=None, created=(), errors=(), status=200):
    return render(
        request,
        "accounts/invitation_list.html",
        {
            "form": form or InvitationForm(),
            "import_form": import_form or InvitationImportForm(),
            "created": created,
            "import_errors": errors,
            "invitations": selectors.invitations_all()[:500],
        },
        status=status,
    )


@login_required
def invitation_list(request):
    """Invite one rater (POST) and list invitations. New links are shown on this answer only."""
    require_curator(request.user)
    if request.method != "POST":
        return _invitations_page(request)
    form = InvitationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            invitation, link = services.invitation_create(
                name=data["name"],
                email=data["email"],
                group=data["group"],
                days=data["days"],
                actor=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _invitations_page(request, created=[(invitation, link)])
    return _invitations_page(request, form=form, status=400)


@require_POST
@login_required
def invitation_import(request):
    require_curator(request.user)
    form = InvitationImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invitations_page(request, import_form=form, status=400)
    try:
        created = services.invitations_import_csv(
            data=form.cleaned_data["file"].read(),
            actor=request.user,
            base_url=request.build_absolute_uri("/"),
            days=form.cleaned_data["days"],
        )
    except ValidationError as exc:
        errors = [msg for msgs in exc.message_dict.values() for msg in msgs]
        return _invitations_page(request, import_form=form, errors=errors, status=400)
    return _invitations_page(request, created=created)


@require_POST
@login_required
def invitation_revoke(request, pk: int):
    require_curator(request.user)
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The invitation for {invitation.name} is withdrawn.")
    return redirect("accounts:invitation_list")


# --- sign-up (anyone with a valid link) ---


def signup(request, token: str):
    """Choose a username and password with a one-time invitation link; then you are logged in."""
    invitation = services.invitation_for_token(token)
    problem = services.invitation_problem(invitation)
    if problem:
        return render(
            request, "accounts/signup.html", {"problem": problem}, status=410 if invitation else 404
        )
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.invitation_accept(
                raw_token=token,
                username=data["username"],
                password=data["password"],
                password_again=data["password_again"],
            )
        except ValidationError as exc:
            if "token" in exc.message_dict:
                return render(
                    request, "accounts/signup.html", {"problem": exc.message_dict["token"][0]}, status=410
                )
            form.add_service_errors(exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {user.first_name or user.username}! Your account is ready.")
            return redirect("accounts:queue")
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "invitation": invitation},
        status=400 if form.errors else 200,
    )


# --- passwords (everyone) ---


class _AuditedPasswordMixin:
    """Once Django has saved the new password: audit it (`how`) and say so (`done_message`)."""

    how = ""
    done_message = ""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=form.user, how=self.how)
        messages.success(self.request, self.done_message)
        return response


class PasswordChangeView(_AuditedPasswordMixin, auth_views.PasswordChangeView):
    """Change your own password (the current one first); audited; the session stays signed in."""

    template_name = "registration/password_form.html"
    success_url = reverse_lazy("home")
    extra_context = {"title": "Change your password", "button": "Change password"}
    how = "change"
    done_message = "Your password was changed."


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail. The answer is the same whether or not the address has an account."""

    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetConfirmView(_AuditedPasswordMixin, auth_views.PasswordResetConfirmView):
    """Choose a new password from the e-mailed one-time link; audited; then log in."""

    template_name = "registration/password_form.html"
    success_url = reverse_lazy("login")
    extra_context = {"title": "Choose a new password", "button": "Set my password"}
    how = "reset"
    done_message = "Your password was set. Log in with it."
