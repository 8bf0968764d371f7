"""Pages of the accounts app: invitations (curators), the one-time sign-up page an invitation links to,
and passwords. The rater's queue and the raters page live in reviews (`apps.reviews.rater_views`,
`apps.reviews.views`)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from apps.accounts import selectors, services
from apps.accounts.forms import InvitationForm, InvitationImportForm, PasswordResetForm, SignupForm
from apps.accounts.models import Invitation
from apps.core.roles import require_curator

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
