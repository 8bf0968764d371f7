from django.urls import NoReverseMatch, reverse

from apps.core.roles import Role, user_role

# Curator navigation: (label, url name). A feature app's entry shows once its page exists.
CURATOR_NAV = [
    ("Dashboard", "core:dashboard"),
    ("Corpus", "corpus:document_list"),
    ("Runs", "scoring:run_list"),
    ("Question sets", "equity:set_list"),
    ("Studies", "reviews:study_list"),
    ("Raters", "accounts:rater_list"),
    ("ELEVATE", "elevate:assessment_list"),
    ("Instruments", "instruments:instrument_list"),
    ("Jobs", "core:job_list"),
]
ADMIN_NAV = [("Audit", "core:audit_list")]


def _links(entries, path: str):
    links = []
    for label, name in entries:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        links.append({"label": label, "url": url, "current": path.startswith(url)})
    return links


def navigation(request):
    """The signed-in user's role and the navigation it allows."""
    role = user_role(request.user) if hasattr(request, "user") else None
    is_curator = role in (Role.ADMIN, Role.CURATOR)
    return {
        "role": role,
        "is_curator": is_curator,
        "is_rater": role is not None and request.user.has_perm("core.rate"),
        "curator_nav": _links(CURATOR_NAV + (ADMIN_NAV if role == Role.ADMIN else []), request.path)
        if is_curator
        else [],
    }
