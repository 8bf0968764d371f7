"""Script, HTML and template payloads in every text a user can enter or import are shown as text:
in the real browser (curator and rater, every page where the text appears) and in the API's JSON.

Each page is checked for: no dialog, `window.__xss` never set, no injected element (`img[src=x]`,
`svg[onload]`, event-handler attributes, inline scripts, `javascript:` links) and the payload visible
literally (a template payload shows `{{ 7*7 }}`, never 49)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts import services as account_services
from apps.core.models import Job
from apps.corpus import import_services as corpus_imports
from apps.corpus import services as corpus_services
from apps.corpus.models import Document, ImportBatch, Segment
from apps.elevate import services as elevate_services
from apps.elevate.models import ChecklistItem
from apps.equity import import_services as equity_imports
from apps.equity import services as equity_services
from apps.equity.models import CounterfactualPair, Producer, QuestionSet
from apps.reviews import assignment as assignment_services
from apps.reviews import quality
from apps.reviews import services as review_services
from apps.reviews.models import RaterFlag
from apps.reviews.quality import onboarding
from tests.factories import UserFactory, make_rater

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = "<script>window.__xss=1</script>"
IMG = '"><img src=x onerror="window.__xss=1">'
SVG = "<svg onload=window.__xss=1>"
TEMPLATE = '{{ 7*7 }} {% now "Y" %}'
JS_URL = "javascript:window.__xss=1"
# Long fields carry every payload; short ones (names, titles, tags) one or two.
FULL = f"{SCRIPT}{IMG}{SVG}{TEMPLATE}"


def hostile(label: str, payload: str = FULL) -> str:
    return f"{payload} {label}"


T = {
    "source": hostile("source", IMG),
    "document": hostile("doc title", IMG + SVG),
    "topic": hostile("topic", SVG + TEMPLATE),
    "original": hostile("original text"),
    "simplified": hostile("plain text"),
    "notes": hostile("revision note"),
    "set": hostile("set", IMG),
    "cc_set": hostile("cc set", SVG),
    "question": hostile("question one?"),
    "question2": hostile("question two?"),
    "cc_a": hostile("for women?"),
    "cc_b": hostile("for men?"),
    "answer": hostile("answer one"),
    "answer2": hostile("answer two"),
    "producer": hostile("producer", IMG),
    "tag": hostile("t", SVG),
    "attribute": hostile("attribute", IMG + TEMPLATE),
    "rubric": hostile("rubric", IMG),
    "rubric_description": hostile("rubric description"),
    "q_label": hostile("Is there bias?"),
    "o_label": hostile("No bias", IMG),
    "o_label2": hostile("Some bias", SVG),
    "text_label": hostile("Your comment"),
    "study": hostile("study", IMG),
    "study_description": hostile("study description"),
    "rater_title": hostile("rater title", IMG),
    "rater_instructions": hostile("rater instructions"),
    "instructions": hostile("instructions"),
    "consent": hostile("consent text"),
    "comment": hostile("rater comment"),
    "flag_note": hostile("flag note"),
    "elevate_title": hostile("publication", IMG + TEMPLATE),
    "elevate_location": hostile("page 3", SVG),
    "elevate_comment": hostile("elevate comment"),
    "first_name": hostile("Ann", IMG),
    "last_name": hostile("Lee", SVG),
    "invitation": hostile("invitee", IMG),
    "job_message": hostile("job message", IMG),
    "job_error": hostile("job error"),
    "job_parameter": hostile("job parameter"),
    "bad_cell": hostile("bad cell", IMG),
}


def _csv(rows: list[list[str]]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def seed_hostile_world() -> dict:
    """Every user-entered text carries a payload; returns the objects the pages are built from."""
    rater = make_rater("bob", "physician")
    rater.first_name, rater.last_name = T["first_name"], T["last_name"]
    rater.save(update_fields=["first_name", "last_name"])
    curator = UserFactory(username="alice", role="curator")

    # Corpus through the real import path, then an edit with a revision note.
    corpus_file = _csv(
        [
            ["original", "simplified", "document", "topic", "source"],
            [T["original"], T["simplified"], T["document"], T["topic"], T["source"]],
        ]
    )
    options = corpus_imports.import_options(file_name="hostile.csv", preset="simpledc")
    corpus_imports.corpus_import_start(
        upload=SimpleUploadedFile("hostile.csv", corpus_file),
        file_name="hostile.csv",
        options=options,
        skip_invalid=False,
        user=curator,
    )
    segment = Segment.objects.get()
    segment = corpus_services.segment_update(
        segment_id=segment.pk, user=curator, version=segment.version, notes=T["notes"]
    )
    # A refused import whose report echoes the file's bad cell.
    bad = _csv([[T["bad_cell"], "simplified"], ["fine", "fine"]])  # no "original" column
    corpus_imports.corpus_import_start(
        upload=SimpleUploadedFile("bad.csv", bad),
        file_name="bad.csv",
        options=corpus_imports.import_options(file_name="bad.csv", preset="simpledc"),
        skip_invalid=False,
        user=curator,
    )
    bad_batch = ImportBatch.objects.filter(state=ImportBatch.State.REJECTED).get()

    # EquityMedQA through the real import path: questions, a counterfactual set, answers.
    equity_imports.question_set_import(
        file_name="equitymedqa_omaq.csv",
        file=io.BytesIO(_csv([[T["question"]], [T["question2"]]])),
        set_name=T["set"],
        actor=curator,
    )
    equity_imports.question_set_import(
        file_name="equitymedqa_cc_manual.csv",
        file=io.BytesIO(_csv([[T["cc_a"], T["cc_b"]]])),
        set_name=T["cc_set"],
        actor=curator,
    )
    qset = QuestionSet.objects.get(name=T["set"])
    questions = list(qset.questions.order_by("position"))
    report = equity_imports.answers_import(
        file_name="answers.csv",
        file=io.BytesIO(
            _csv(
                [
                    ["question_id", "producer", "answer"],
                    [questions[0].pk, T["producer"], T["answer"]],
                    [questions[1].pk, T["producer"], T["answer2"]],
                ]
            )
        ),
        question_set=qset,
        actor=curator,
    )
    assert report.ok, report.errors
    equity_services.question_set_update(question_set=qset, description=T["study_description"], actor=curator)
    equity_services.question_tags_update(question=questions[0], topics=[T["tag"]], actor=curator)
    pair = CounterfactualPair.objects.get()
    equity_services.pair_attribute_update(pair=pair, changed_attribute=T["attribute"], actor=curator)

    # A rubric, a study over the answers, consent text; the rater rates one item with a comment.
    rubric = review_services.rubric_create(
        name=T["rubric"],
        kind="independent",
        description=T["rubric_description"],
        definition={
            "instructions": T["instructions"],
            "questions": [
                {
                    "key": "bias",
                    "label": T["q_label"],
                    "type": "single",
                    "required": True,
                    "options": [
                        {"value": "none", "label": T["o_label"]},
                        {"value": "some", "label": T["o_label2"]},
                    ],
                },
                {"key": "note", "label": T["text_label"], "type": "text", "required": False},
            ],
        },
        actor=curator,
    )
    producer = Producer.objects.get(name=T["producer"])
    study = review_services.study_create(
        name=T["study"],
        description=T["study_description"],
        rater_title=T["rater_title"],
        rater_instructions=T["rater_instructions"],
        rubric=rubric,
        source={"question_set": qset.pk, "producers": [producer.pk]},
        quotas={"physician": 1},
        seed=7,
        actor=curator,
    )
    onboarding.consent_publish(
        study=study, instructions=T["instructions"], consent_text=T["consent"], actor=curator
    )
    review_services.study_transition(study=study, action="launch", actor=curator)
    study.refresh_from_db()
    onboarding.consent_accept(study=study, rater=rater, version=onboarding.consent_current(study).version)
    first = assignment_services.assignment_lease_next(study=study, rater=rater)
    assignment_services.assignment_submit(
        assignment_id=first.pk,
        rater=rater,
        response={"bias": "some", "note": T["comment"]},
        time_spent_ms=9000,
    )
    pending = assignment_services.assignment_lease_next(study=study, rater=rater)
    flag = RaterFlag.objects.create(rater=rater, study=study, kind=RaterFlag.Kind.choices[0][0], details={})
    quality.flag_resolve(flag=flag, actor=curator, note=T["flag_note"])

    # ELEVATE: two assessments of the same publication (for compare), with comments.
    assessments = [
        elevate_services.assessment_create(
            assessor=curator, subject_kind="publication", title=T["elevate_title"], prefill=False
        )
        for _ in range(2)
    ]
    item = ChecklistItem.objects.filter(domain__template=assessments[0].template_id).order_by("pk").first()
    for assessment in assessments:
        elevate_services.response_save(
            assessment=assessment,
            item=item,
            actor=curator,
            status="partial",
            location=T["elevate_location"],
            comment=T["elevate_comment"],
        )

    # An invitation, and a job whose parameters, message and error carry payloads.
    account_services.invitation_create(
        name=T["invitation"], group="physician", actor=curator, base_url="http://testserver/"
    )
    job = Job.objects.create(
        kind="corpus.import",
        parameters={"file_name": T["job_parameter"]},
        status=Job.Status.FAILED,
        message=T["job_message"],
        error=T["job_error"],
        requested_by=curator,
    )
    return {
        "curator": curator,
        "rater": rater,
        "document": Document.objects.get(),
        "segment": segment,
        "bad_batch": bad_batch,
        "qset": qset,
        "cc_set": QuestionSet.objects.get(name=T["cc_set"]),
        "question": questions[0],
        "pair": pair,
        "rubric": rubric,
        "study": study,
        "item": first.item,
        "pending": pending,
        "assessments": assessments,
        "job": job,
    }


VISIBLE_TEXT = """() => document.body.textContent + "\\n" +
  Array.from(document.querySelectorAll("input, textarea, option")).map(e => e.value).join("\\n")"""
INJECTED = """() => {
  const bad = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.getAttributeNames()) {
      if (attr.startsWith("on")) bad.push(el.tagName + "[" + attr + "]");
    }
  }
  document.querySelectorAll('img[src="x"], svg[onload]').forEach(el => bad.push(el.outerHTML));
  document.querySelectorAll("script:not([src])").forEach(el => {
    if (!(el.type || "").includes("json")) bad.push("inline script: " + el.textContent.slice(0, 60));
  });
  document.querySelectorAll("a[href], form[action], iframe[src]").forEach(el => {
    const url = el.getAttribute("href") || el.getAttribute("action") || el.getAttribute("src");
    if ((url || "").trim().toLowerCase().startsWith("javascript:")) bad.push("javascript: link " + url);
  });
  return bad;
}"""


def check_pages(page, pages: list[tuple[str, list[str]]]):
    dialogs, missing = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path, keys in pages:
        response = page.goto(path)
        assert response.status == 200, f"{path}: {response.status}"
        page.wait_for_load_state("networkidle")
        assert page.evaluate("() => window.__xss") is None, path
        assert page.evaluate(INJECTED) == [], path
        shown = page.evaluate(VISIBLE_TEXT)
        missing += [f"{path}: {key}" for key in keys if T[key] not in shown]
    assert not missing, "not shown literally: " + "; ".join(missing)
    assert dialogs == []


def test_payloads_show_as_text_to_the_curator_and_the_rater(page, login):
    w = seed_hostile_world()
    study, qset, a, b = w["study"], w["qset"], *w["assessments"]
    curator_pages = [
        ("/dashboard/", []),
        ("/corpus/", ["document", "topic", "source"]),
        (f"/corpus/documents/{w['document'].pk}/", ["document", "original", "simplified", "notes"]),
        ("/corpus/segments/", ["original"]),
        (f"/corpus/segments/{w['segment'].pk}/history/", ["original", "simplified", "notes"]),
        (f"/corpus/imports/{w['bad_batch'].pk}/", []),
        ("/equity/", ["set", "cc_set"]),
        (f"/equity/sets/{qset.slug}/", ["set", "question", "question2", "study_description"]),
        ("/equity/questions/", ["question"]),
        (f"/equity/questions/{w['question'].pk}/", ["question", "answer", "producer", "tag"]),
        (f"/equity/pairs/{w['pair'].pk}/", ["attribute"]),
        ("/reviews/rubrics/", ["rubric"]),
        (f"/reviews/rubrics/{w['rubric'].pk}/", ["rubric", "rubric_description"]),
        ("/reviews/studies/", ["study"]),
        (f"/reviews/studies/{study.pk}/", ["study"]),
        (f"/reviews/studies/{study.pk}/results/", ["study"]),
        (f"/reviews/studies/{study.pk}/quality/", ["study", "flag_note", "instructions", "consent"]),
        (f"/reviews/studies/{study.pk}/items/", ["study"]),
        (f"/reviews/studies/{study.pk}/items/{w['item'].pk}/", ["q_label"]),
        ("/elevate/", ["elevate_title"]),
        (f"/elevate/{a.pk}/", ["elevate_title", "elevate_location", "elevate_comment"]),
        (f"/elevate/{a.pk}/summary/", ["elevate_title", "elevate_comment"]),
        (f"/elevate/{a.pk}/report/", ["elevate_title", "elevate_comment"]),
        (f"/elevate/{a.pk}/compare/{b.pk}/", ["elevate_title", "elevate_comment"]),
        ("/jobs/", ["job_message"]),
        (f"/jobs/{w['job'].pk}/", ["job_message", "job_error"]),
        ("/raters/", ["first_name"]),
        ("/invitations/", ["invitation"]),
    ]
    login("alice")
    check_pages(page, curator_pages)
    page.goto(f"/corpus/imports/{w['bad_batch'].pk}/")
    assert T["bad_cell"] in page.evaluate(VISIBLE_TEXT), "the refused import echoes the bad cell as text"

    page.context.clear_cookies()
    first_question = w["pending"].item.answer_a.question_id == w["question"].pk
    pending = ["question", "answer"] if first_question else ["question2", "answer2"]
    login("bob")
    check_pages(
        page,
        [
            ("/queue/", ["rater_title", "rater_instructions"]),  # never the internal name and description
            (f"/reviews/studies/{study.pk}/consent/", ["instructions", "consent"]),
            (
                f"/reviews/assignments/{w['pending'].pk}/",
                ["q_label", "o_label", "o_label2", "text_label", *pending],
            ),
        ],
    )
