from apps.core.roles import Role, user_role


def navigation(request):
    """The signed-in user's role, so templates can show the navigation it allows."""
    role = user_role(request.user) if hasattr(request, "user") else None
    return {
        "role": role,
        "is_curator": role in (Role.ADMIN, Role.CURATOR),
        "is_rater": role is not None and request.user.has_perm("core.rate"),
    }
