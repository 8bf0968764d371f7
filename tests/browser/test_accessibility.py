"""axe-core (vendored, tests/browser/axe.py) finds no violation, at any impact level, on any page of the
curator's and the rater's journeys, at desktop width and at 390 px (a phone).

One browser, one log-in per role, the pages visited in a loop over the demo data (`demo_load`, what
`make run` shows) plus what the demo lacks: a model run with candidates, reward models, imports (one done,
one refused), a simplification study with consent, submitted ratings, a second ELEVATE assessment, an
instrument assessment, an invitation. Every violation of every page is reported at once."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts import services as account_services
from apps.core.models import Job
from apps.corpus import import_services as corpus_imports
from apps.corpus.models import Document, ImportBatch, Segment
from apps.elevate import services as elevate_services
from apps.elevate.models import Assessment
from apps.equity.models import CounterfactualPair, Question, QuestionSet
from apps.instruments import services as instrument_services
from apps.instruments.models import Instrument
from apps.reviews import assignment as engine
from apps.reviews import services as review_services
from apps.reviews.models import Rubric, Study
from apps.reviews.quality import onboarding
from apps.scoring.models import RewardModel
from tests.browser.axe import axe_inject, axe_violations, violations_report
from tests.reviews.factories import PAIRWISE_ANSWER
from tests.scoring.factories import CandidateFactory, ModelRunFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "390px": {"width": 390, "height": 844}}
User = get_user_model()


def _csv(rows) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def build_world() -> dict:
    """The demo data plus the objects every journey page needs; returns what the URLs are built from."""
    call_command("demo_load", force=True, verbosity=0)
    admin, curator = User.objects.get(username="admin"), User.objects.get(username="curator")
    physician, physician2 = User.objects.get(username="physician"), User.objects.get(username="physician2")
    document = Document.objects.order_by("pk").first()
    segments = list(Segment.objects.filter(document=document).order_by("position"))

    # Imports: one written, one refused with its report.
    for name, rows in (
        (
            "leaflet.csv",
            [
                ["original", "simplified"],
                ["Hypertension is elevated arterial pressure.", "High blood pressure."],
            ],
        ),
        ("broken.csv", [["text_a", "simplified"], ["x", "y"]]),
    ):
        corpus_imports.corpus_import_start(
            upload=SimpleUploadedFile(name, _csv(rows)),
            file_name=name,
            options=corpus_imports.import_options(file_name=name, preset="simpledc"),
            skip_invalid=False,
            user=curator,
        )
    preview_name = "awaiting.csv"
    corpus_imports.import_preview_start(
        upload=SimpleUploadedFile(
            preview_name, _csv([["text", "plain"], ["Renal means kidney.", "Kidney."]])
        ),
        file_name=preview_name,
        options=corpus_imports.import_options(file_name=preview_name, preset="simpledc"),
        skip_invalid=False,
        user=curator,
    )

    # A finished generation run with two candidates per segment, and reward models.
    started = timezone.now() - timedelta(minutes=3)
    job = Job.objects.create(
        kind="model_run",
        status=Job.Status.SUCCEEDED,
        progress_done=len(segments),
        progress_total=len(segments),
        started_at=started,
        finished_at=started + timedelta(seconds=75),
        requested_by=curator,
    )
    run = ModelRunFactory(requested_by=curator, job=job, selection={"document": document.pk})
    job.parameters = {"run": run.pk, "segments": len(segments)}
    job.save(update_fields=["parameters"])
    run.segments.set(segments)
    candidates = []
    flags = [
        {
            "code": "negation_dropped",
            "severity": "high",
            "message": "The original negates here.",
            "span": "not",
            "side": "source",
            "start": 0,
            "end": 3,
        },
        {
            "code": "number_changed",
            "severity": "medium",
            "message": "A number differs.",
            "span": "5",
            "side": "candidate",
            "start": 0,
            "end": 1,
        },
    ]
    for position, segment in enumerate(segments):
        for index in range(2):
            candidates.append(
                CandidateFactory(
                    run=run,
                    segment=segment,
                    index=index,
                    text=f"{segment.simplified} (version {index + 1})",
                    reward=0.4 + 0.2 * index,
                    rank=2 - index,
                    sari=30.0 + index,
                    bleu=20.0,
                    grade=6.5,
                    scored_at=timezone.now() if position else None,
                    flags=flags if position == 0 and index == 0 else [],
                    # every decision a curator sees: rejected, accepted, pending
                    decision=("rejected", "accepted")[index] if position in (1, 2) else "pending",
                    decided_by=curator if position in (1, 2) else None,
                )
            )
    running = Job.objects.create(
        kind="model_run",
        status=Job.Status.RUNNING,
        progress_done=1,
        progress_total=4,
        started_at=timezone.now() - timedelta(seconds=20),
        requested_by=curator,
    )
    ModelRunFactory(requested_by=curator, job=running, selection={"split": "test"})
    metrics = {
        "reward": {"accuracy": 0.7, "roc_auc": 0.9, "pair_accuracy": 0.9},
        "baseline_fk": {"accuracy": 0.8, "roc_auc": 0.85, "pair_accuracy": 0.85, "grade_cutoff": 8.5},
        "beats_baseline": True,
        "test_pairs": 6,
        "test_texts": 12,
        "train_pairs": 20,
        "train_texts": 40,
        "test_documents": 1,
        "train_documents": 4,
    }
    reward = RewardModel.objects.create(
        version=1, encoder="all-MiniLM-L6-v2", metrics=metrics, is_active=True, created_by=curator
    )

    # A simplification study over the candidates with consent to accept, and one item only for
    # physician2, who rates it in the browser to reach the "done" page.
    simplification = review_services.study_create(
        name="Plain-language check",
        rubric=Rubric.objects.filter(kind="simplification").order_by("-version").first(),
        source={"candidates": [candidates[0].pk]},
        quotas={"physician": 1},
        seed=3,
        actor=curator,
    )
    onboarding.consent_publish(
        study=simplification,
        instructions="Read the original, then the plain version.",
        consent_text="Your ratings are used for research on plain language.",
        actor=curator,
    )
    review_services.study_transition(study=simplification, action="launch", actor=curator)
    simplification.refresh_from_db()

    # Ratings so that results, agreement and quality pages have figures; a leased item of every kind.
    studies = {s.rubric.kind: s for s in Study.objects.select_related("rubric").filter(status="live")}
    pairwise = studies["pairwise"]
    for rater in (physician, physician2):
        for _ in range(2):
            assignment = engine.assignment_lease_next(study=pairwise, rater=rater)
            engine.assignment_submit(
                assignment_id=assignment.pk, rater=rater, response=PAIRWISE_ANSWER, time_spent_ms=20_000
            )
    leased = {
        kind: engine.assignment_lease_next(study=studies[kind], rater=physician)
        for kind in ("pairwise", "independent", "counterfactual")
    }

    # ELEVATE: the demo assessment and a second one of the same subject, for compare.
    first = Assessment.objects.order_by("pk").first()
    second = elevate_services.assessment_create(
        assessor=curator,
        subject_kind=first.subject_kind,
        subject_id=first.subject_id,
        title=first.title,
        doi=first.doi,
        url=first.url,
        prefill=False,
    )
    instrument = Instrument.objects.order_by("pk").first()
    instrument_assessment, _ = instrument_services.assessment_start(
        assessor=curator, instrument=instrument, document=document, side="original"
    )
    account_services.invitation_create(
        name="Dr Ada Obi", group="physician", actor=curator, base_url="http://testserver/"
    )
    return {
        "admin": admin,
        "document": document,
        "segment": segments[0],
        "imports": list(ImportBatch.objects.order_by("pk")),
        "run": run,
        "reward": reward,
        "qset": QuestionSet.objects.filter(kind=QuestionSet.Kind.SINGLE).order_by("pk").first(),
        "question": Question.objects.order_by("pk").first(),
        "pair": CounterfactualPair.objects.order_by("pk").first(),
        "studies": studies,
        "simplification": simplification,
        "leased": leased,
        "item": pairwise.items.order_by("position").first(),
        "assessments": (first, second),
        "instrument": instrument,
        "instrument_assessment": instrument_assessment,
        "rubric": pairwise.rubric,
    }


def curator_pages(w) -> list[str]:
    first, second = w["assessments"]
    pairwise = w["studies"]["pairwise"]
    counterfactual = w["studies"]["counterfactual"]
    done, refused, awaiting = w["imports"]
    pages = [
        "/dashboard/",
        "/corpus/",
        "/corpus/segments/",
        f"/corpus/documents/{w['document'].pk}/",
        f"/corpus/segments/{w['segment'].pk}/history/",
        "/corpus/import/",
        f"/corpus/imports/{done.pk}/",
        f"/corpus/imports/{refused.pk}/",
        f"/corpus/imports/{awaiting.pk}/",
        "/scoring/runs/",
        "/scoring/runs/new/",
        f"/scoring/runs/{w['run'].pk}/",
        "/scoring/reward-models/",
        f"/scoring/reward-models/{w['reward'].pk}/",
        "/equity/",
        f"/equity/sets/{w['qset'].slug}/",
        "/equity/questions/",
        f"/equity/questions/{w['question'].pk}/",
        f"/equity/pairs/{w['pair'].pk}/",
        "/reviews/studies/",
        "/reviews/studies/new/",
        f"/reviews/studies/{pairwise.pk}/",
        f"/reviews/studies/{pairwise.pk}/results/",
        f"/reviews/studies/{pairwise.pk}/agreement/",
        f"/reviews/studies/{pairwise.pk}/quality/",
        f"/reviews/studies/{pairwise.pk}/items/",
        f"/reviews/studies/{pairwise.pk}/items/{w['item'].pk}/",
        f"/reviews/studies/{counterfactual.pk}/items/{counterfactual.items.order_by('position').first().pk}/",
        "/reviews/rubrics/",
        f"/reviews/rubrics/{w['rubric'].pk}/",
        "/raters/",
        "/invitations/",
        "/elevate/",
        "/elevate/new/",
        f"/elevate/{first.pk}/",
        f"/elevate/{first.pk}/summary/",
        f"/elevate/{first.pk}/compare/{second.pk}/",
        "/instruments/",
        f"/instruments/{w['instrument'].pk}/",
        "/instruments/new/",
        f"/instruments/assessments/{w['instrument_assessment'].pk}/",
        f"/instruments/documents/{w['document'].pk}/",
        "/jobs/",
        f"/jobs/{w['run'].job_id}/",
        "/audit/",
    ]
    return pages


def audit_pages(page, paths, label: str, found: dict) -> None:
    """Visit each path at each width and run axe on it; violations go into `found` by page and width."""
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, f"{label} {path}: {response.status}"
            page.wait_for_load_state("networkidle")
            violations = axe_violations(page)
            if violations:
                found[f"{label} {path} @ {width}"] = violations


def login(page, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_axe_finds_nothing_on_the_curator_and_rater_journeys(page):
    w = build_world()
    found: dict[str, list] = {}

    login(page, "admin", "equitext-admin")  # an admin is a curator who may also open the audit log
    audit_pages(page, curator_pages(w), "curator", found)
    login(page, "physician", "equitext-rater")
    simplification = w["simplification"]
    rater_paths = [
        "/queue/",
        f"/reviews/studies/{simplification.pk}/consent/",
        *[f"/reviews/assignments/{a.pk}/" for a in w["leased"].values()],
    ]
    audit_pages(page, rater_paths, "rater", found)

    # The simplification item after consent, and the page the last item leads to.
    onboarding.consent_accept(
        study=simplification,
        rater=User.objects.get(username="physician"),
        version=onboarding.consent_current(simplification).version,
    )
    last = engine.assignment_lease_next(study=simplification, rater=User.objects.get(username="physician"))
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.goto(f"/reviews/assignments/{last.pk}/")
        violations = axe_violations(page)
        if violations:
            found[f"rater simplification item @ {width}"] = violations
    page.set_viewport_size(WIDTHS["desktop"])
    page.goto(f"/reviews/assignments/{last.pk}/")
    for group in page.locator("fieldset.question").all():
        radios = group.locator("input[type=radio]")
        if radios.count():
            radios.first.check()
    page.get_by_role("button", name="Submit").first.click()
    expect(page.get_by_text("Nothing more to rate")).to_be_visible()
    axe_inject(page)
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        violations = axe_violations(page)
        if violations:
            found[f"rater done page @ {width}"] = violations

    assert not found, "\n".join(violations_report(where, v) for where, v in found.items())


def test_axe_runs_under_the_products_policy_which_still_refuses_inline_script(page, curator):
    response = page.goto("/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert axe_violations(page) == []
    page.evaluate(
        """() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';
                   document.body.appendChild(s); }"""
    )
    assert page.evaluate("() => window.pwned") is None
    # axe would report a page that breaks a rule: an image without a text alternative
    page.evaluate(
        "() => document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"data:,\">')"
    )
    assert [v["id"] for v in axe_violations(page)] == ["image-alt"]
