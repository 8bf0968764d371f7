"""Access policies: what each role gets from an endpoint, stated once and named.

An outcome is what one role gets:
- OK: allowed. A GET answers the entry's `ok` status (200 unless the entry says otherwise); writes as
  this role are not sent (the feature tests perform them).
- LOGIN: not signed in. Pages redirect to `/login/?next=<the address>`; the API answers 401.
- DENY: signed in, wrong role: 403.
- HIDE: signed in, but the object is not theirs (or not visible to them): 404, the same answer as for an
  id that does not exist.

Roles: anonymous; rater A (physician, owns the assignments, draft and rating the world names `_a`);
rater B (consumer, takes part in the same study with their own rating); curator; admin (superuser).
"""

from dataclasses import dataclass, field

OK, LOGIN, DENY, HIDE = "ok", "login", "deny", "hide"
ROLES = ("anonymous", "rater_a", "rater_b", "curator", "admin")


@dataclass(frozen=True)
class Policy:
    name: str
    anonymous: str
    rater_a: str
    rater_b: str
    curator: str
    admin: str

    def outcome(self, role: str) -> str:
        return getattr(self, role)


# Anyone, signed in or not.
PUBLIC = Policy("PUBLIC", OK, OK, OK, OK, OK)
# Any signed-in user; lists are filtered to what the user may see (checked by the leak scan).
ANY_USER = Policy("ANY_USER", LOGIN, OK, OK, OK, OK)
# Curators and admins; raters get 403.
CURATOR_ONLY = Policy("CURATOR_ONLY", LOGIN, DENY, DENY, OK, OK)
# A curator's own object (webhooks): curators' permission, and only the owner sees it (admin too: 404).
CURATOR_OWN = Policy("CURATOR_OWN", LOGIN, DENY, DENY, OK, HIDE)
# An object curators see and raters do not even learn exists (a curator's job): raters 404.
CURATOR_VISIBLE = Policy("CURATOR_VISIBLE", LOGIN, HIDE, HIDE, OK, OK)
# Admins (superusers) only.
ADMIN_ONLY = Policy("ADMIN_ONLY", LOGIN, DENY, DENY, DENY, OK)
# Holders of the rater permission (admins hold every permission): curators get 403.
RATER_ONLY = Policy("RATER_ONLY", LOGIN, OK, OK, DENY, OK)
# A study the rater takes part in (both raters' groups have a quota); curators 403 (no rater
# permission); the admin has the permission but no rater group and no work in it: 404.
RATER_IN_STUDY = Policy("RATER_IN_STUDY", LOGIN, OK, OK, DENY, HIDE)
# What a rater sees of a study they take part in; curators and admins see every study.
STUDY_MEMBER = Policy("STUDY_MEMBER", LOGIN, OK, OK, OK, OK)
# Rater A's own assignment on the rating pages: rater B and the admin 404; curators 403 (the pages
# need the rater permission before looking anything up).
RATER_OWN = Policy("RATER_OWN", LOGIN, OK, HIDE, DENY, HIDE)
# Rater A's own object in the API (assignments, tokens): everyone else 404, whatever their role.
OWNER_ONLY = Policy("OWNER_ONLY", LOGIN, OK, HIDE, HIDE, HIDE)


class WorldPath:
    """`W.study.pk`: a reference into the world, resolved when the matrix runs (objects give their pk)."""

    def __init__(self, path: tuple = ()):
        self._path = path

    def __getattr__(self, name: str) -> "WorldPath":
        if name.startswith("_"):
            raise AttributeError(name)
        return WorldPath((*self._path, name))

    def resolve(self, world):
        value = world
        for name in self._path:
            value = getattr(value, name)
        return getattr(value, "pk", value)

    def __repr__(self) -> str:
        return "W." + ".".join(self._path)


W = WorldPath()


def resolve_params(params: dict, world) -> dict:
    return {k: v.resolve(world) if isinstance(v, WorldPath) else v for k, v in params.items()}


@dataclass(frozen=True)
class Entry:
    """One endpoint's expectations.

    `params`: URL kwargs (pages) or path parameters (API); `W.<path>` names an object of the world
    (`W.study` → the study's pk, `W.qset.slug` → that attribute), anything else is used as it is.
    `ok`: the statuses an allowed GET answers. `get`: when set, every role's GET answers this status (the
    view refuses the method before it asks who you are, e.g. 405 from `require_POST`). `post`: the same
    for a page's POST (e.g. 405 from `require_GET`); with `login_first` the anonymous user is still sent
    to log in (`login_required` wraps the method check). `query`: query parameters (world paths as above).
    """

    policy: Policy
    params: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    ok: tuple = (200,)
    get: int | None = None
    post: int | None = None
    login_first: bool = False
    note: str = ""


def E(  # noqa: N802
    policy: Policy, *, ok=(200,), get=None, post=None, login_first=False, query=None, note="", **params
) -> Entry:
    return Entry(
        policy=policy,
        params=params,
        query=query or {},
        ok=(ok,) if isinstance(ok, int) else tuple(ok),
        get=get,
        post=post,
        login_first=login_first,
        note=note,
    )


def POST_ONLY(policy: Policy, **params) -> Entry:  # noqa: N802
    """A page behind `@require_POST`: every GET answers 405; the policy applies to POST."""
    return E(policy, get=405, **params)


# The page names under the `api` namespace (and core's export downloads) are checked per operation in
# the OpenAPI table; the URL table marks them with this (and the test proves the schema covers them).
OPENAPI = "covered by the OpenAPI table"
