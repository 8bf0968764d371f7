import csv
import io
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import ApiToken, Invitation, RaterGroup, RaterProfile, token_hash
from apps.core import limits
from apps.core.models import AuditLog
from apps.core.roles import Role
from apps.core.services import audit_record

User = get_user_model()


@transaction.atomic
def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with the raw key (shown once, never stored)."""
    raw_key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user, name=name[:100], key_hash=token_hash(raw_key), prefix=raw_key[:8]
    )
    audit_record(actor=user, action="token.create", obj=token)
    return token, raw_key


@transaction.atomic
def token_revoke(*, token: ApiToken, actor) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="token.revoke", obj=token)


def password_changed(*, user, how: str) -> None:
    """Record that `user`'s password was changed ("change": by them, signed in) or set from an e-mailed
    reset link ("reset"). Django has already saved it; other sessions of the user end with it."""
    audit_record(actor=user, action=f"account.password_{how}", obj=user)


PASSWORD_RESET_INTERVAL = timedelta(minutes=5)


def password_reset_allowed(*, user) -> bool:
    """False while a reset link sent to `user` less than PASSWORD_RESET_INTERVAL ago is fresh."""
    return not AuditLog.objects.filter(
        action="account.password_reset_sent",
        object_type=user._meta.label_lower,
        object_id=str(user.pk),
        at__gte=timezone.now() - PASSWORD_RESET_INTERVAL,
    ).exists()


def password_reset_sent(*, user) -> None:
    audit_record(actor=None, action="account.password_reset_sent", obj=user)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: Role,
    email: str = "",
    rater_group: RaterGroup | None = None,
    expertise: str = "",
):
    """A user holding `role`; raters also get a profile in `rater_group` (required for raters)."""
    if role == Role.RATER and rater_group is None:
        raise ValueError("A rater needs a rater group.")
    user = User.objects.create_user(username=username, password=password, email=email)
    if role == Role.ADMIN:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    if role == Role.CURATOR:
        user.is_staff = True  # curators use the admin for dataset curation, within their permissions
        user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=role.value))
    if rater_group is not None:
        RaterProfile.objects.create(user=user, group=rater_group, expertise=expertise)
    return user


# --- invitations and sign-up ---

INVITATION_DAYS = 7
INVITATION_CSV_MAX_ROWS = 1000


def _invitation_row_errors(
    *, name, email, group_value, groups: dict, seen_emails: set
) -> tuple[list, object]:
    """Problems with one invitation's fields, and its rater group (or None)."""
    problems = []
    name = (name or "").strip()
    email = (email or "").strip().lower()
    if not name:
        problems.append("name: give the rater's name")
    elif len(name) > 150:
        problems.append("name: at most 150 characters")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"email: {email!r} is not an email address")
        else:
            if email in seen_emails:
                problems.append(f"email: {email} appears twice")
            elif User.objects.filter(email__iexact=email).exists():
                problems.append(f"email: {email} already has an account")
            elif Invitation.objects.filter(
                email__iexact=email,
                used_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            ).exists():
                problems.append(
                    f"email: {email} already has a pending invitation (revoke it to send a new one)"
                )
            seen_emails.add(email)
    key = (group_value or "").strip().lower()
    group = groups.get(key)
    if group is None:
        problems.append(
            f"group: {'no rater group ' + repr(group_value) if key else 'give a rater group'}; "
            f"use one of {', '.join(sorted({g.slug for g in groups.values()}))}"
        )
    return problems, group


def _rater_groups_by_key() -> dict:
    groups = {}
    for group in RaterGroup.objects.all():
        groups[group.slug.lower()] = group
        groups[group.name.lower()] = group
    return groups


def invitation_signup_path(raw_token: str) -> str:
    from django.urls import reverse

    return reverse("accounts:signup", args=[raw_token])


def _invitation_send(invitation: Invitation, link: str) -> None:
    """Email the link where the invitation has an address (Django's email backend; console by default)."""
    if not invitation.email:
        return
    send_mail(
        subject="Your invitation to rate for Equitext",
        message=(
            f"Hello {invitation.name},\n\n"
            f"You are invited to join Equitext as a rater ({invitation.group.name}).\n"
            f"Choose your username and password here (the link works once and expires on "
            f"{invitation.expires_at:%Y-%m-%d %H:%M %Z}):\n\n{link}\n"
        ),
        from_email=None,
        recipient_list=[invitation.email],
        fail_silently=False,
    )
    Invitation.objects.filter(pk=invitation.pk).update(emailed_at=timezone.now())


def _invitation_make(*, name, email, group, actor, days, base_url) -> tuple[Invitation, str]:
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        name=name.strip(),
        email=(email or "").strip().lower(),
        group=group,
        token_hash=token_hash(raw),
        expires_at=timezone.now() + timedelta(days=days),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="invitation.create",
        obj=invitation,
        details={
            "email": invitation.email,
            "group": group.slug,
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    link = base_url.rstrip("/") + invitation_signup_path(raw)
    transaction.on_commit(lambda: _invitation_send(invitation, link))
    return invitation, link


@transaction.atomic
def invitation_create(
    *, name: str, email: str = "", group, actor, base_url: str, days: int = INVITATION_DAYS
) -> tuple[Invitation, str]:
    """Invite one rater; returns the invitation and its sign-up link (shown once: only a hash is kept).

    `group` is a RaterGroup, slug or name. The link is emailed after commit where an email is given.
    Raises ValidationError keyed by field.
    """
    if not 1 <= days <= 90:
        raise ValidationError({"days": ["An invitation is valid for 1 to 90 days."]})
    groups = _rater_groups_by_key()
    group_value = group.slug if isinstance(group, RaterGroup) else group
    problems, found = _invitation_row_errors(
        name=name, email=email, group_value=group_value, groups=groups, seen_emails=set()
    )
    if problems:
        errors: dict[str, list[str]] = {}
        for problem in problems:
            field, _, message = problem.partition(": ")
            errors.setdefault(field, []).append(message[:1].upper() + message[1:] + ".")
        raise ValidationError(errors)
    return _invitation_make(name=name, email=email, group=found, actor=actor, days=days, base_url=base_url)


@transaction.atomic
def invitations_import_csv(*, data: bytes | str, actor, base_url: str, days: int = INVITATION_DAYS):
    """Invite every row of a CSV with the columns name, email, group (a header row; email may be
    empty). Validates every row first and creates nothing unless all are valid; returns
    [(invitation, link)]. Raises ValidationError({"file": ["row N: …", …]})."""
    too_large = limits.upload_problem(len(data.encode() if isinstance(data, str) else data))
    if too_large:
        raise ValidationError({"file": [too_large]})
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError({"file": ["The file is not UTF-8 text; save it as CSV (UTF-8)."]}) from exc
    reader = csv.DictReader(io.StringIO(data))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("name", "email", "group") if c not in header]
    if missing:
        raise ValidationError(
            {
                "file": [
                    f"Row 1 (header): missing column(s) {', '.join(missing)}; "
                    "the columns are name, email, group."
                ]
            }
        )
    reader.fieldnames = header
    groups = _rater_groups_by_key()
    rows, problems, seen = [], [], set()
    for number, row in enumerate(reader, start=2):
        if not any((v or "").strip() for k, v in row.items() if k):
            continue  # blank line
        if len(rows) >= INVITATION_CSV_MAX_ROWS:
            problems.append(
                f"row {number}: at most {INVITATION_CSV_MAX_ROWS} invitations per file; split the file"
            )
            break
        row_problems, group = _invitation_row_errors(
            name=row.get("name"),
            email=row.get("email"),
            group_value=row.get("group"),
            groups=groups,
            seen_emails=seen,
        )
        problems.extend(f"row {number}: {p}" for p in row_problems)
        rows.append((row.get("name") or "", row.get("email") or "", group))
    if not rows and not problems:
        problems.append("The file has no invitations below its header.")
    if problems:
        raise ValidationError({"file": problems})
    return [
        _invitation_make(name=name, email=email, group=group, actor=actor, days=days, base_url=base_url)
        for name, email, group in rows
    ]


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    if invitation.used_at is not None:
        raise ValidationError(
            {"invitation": ["This invitation was already used; deactivate the rater instead."]}
        )
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action="invitation.revoke", obj=invitation)
    return invitation


def invitation_for_token(raw_token: str) -> Invitation | None:
    """The invitation with this token, whatever its state (None if none)."""
    return Invitation.objects.select_related("group").filter(token_hash=token_hash(raw_token or "")).first()


def invitation_problem(invitation: Invitation | None) -> str:
    """Why this link cannot be used now, or "" when it can."""
    if invitation is None:
        return "This sign-up link is not valid. Check that you copied all of it, or ask for a new invitation."
    if invitation.used_at is not None:
        return (
            "This sign-up link has already been used. Log in with the account you created, "
            "or ask for a new invitation."
        )
    if invitation.revoked_at is not None:
        return "This invitation was withdrawn. Ask the study's curators for a new one."
    if invitation.expires_at <= timezone.now():
        return (
            f"This sign-up link expired on {invitation.expires_at:%Y-%m-%d}. "
            "Ask the study's curators for a new one."
        )
    return ""


@transaction.atomic
def invitation_accept(*, raw_token: str, username: str, password: str, password_again: str | None = None):
    """Create the invited rater's account (rater role, profile in the invited group) and use up the
    invitation; returns the user. Refuses used, revoked, expired or unknown links, taken usernames and
    passwords that fail Django's validators (ValidationError keyed by field; nothing is created)."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("group")
        .filter(token_hash=token_hash(raw_token or ""))
        .first()
    )
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError({"token": [problem]})
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    try:
        UnicodeUsernameValidator()(username)
        if not username or len(username) > 150:
            raise ValidationError("Give a username of at most 150 characters.")
    except ValidationError as exc:
        errors["username"] = list(exc.messages)
    else:
        if User.objects.filter(username__iexact=username).exists():
            errors["username"] = [f'The username "{username}" is taken; choose another.']
    if password_again is not None and password != password_again:
        errors["password_again"] = ["The two passwords differ."]
    try:
        validate_password(
            password, user=User(username=username, email=invitation.email, first_name=invitation.name)
        )
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    user = user_create(
        username=username,
        password=password,
        role=Role.RATER,
        email=invitation.email,
        rater_group=invitation.group,
    )
    user.first_name = invitation.name[:150]
    user.save(update_fields=["first_name"])
    invitation.used_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["used_at", "user", "updated_at"])
    audit_record(actor=user, action="invitation.accept", obj=invitation, details={"username": username})
    return user
