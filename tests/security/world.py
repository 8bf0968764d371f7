"""One small but complete "world" of real objects for the access matrix, built through the services and
factories the rest of the suite uses: users of every role, a corpus, a model run, EquityMedQA data, a
launched study in which rater A holds a draft and a submitted rating and rater B holds a rating of their
own, quality flags, an adjudication, ELEVATE assessments, a job, an API token, a webhook, an invitation
and a reward model.

Names are distinctive on purpose: the leak checks search response bodies for them.
"""

from dataclasses import dataclass, field

from apps.accounts import services as accounts_services
from apps.core import webhooks
from apps.core.models import AuditLog, Job
from apps.core.roles import Role
from apps.corpus.models import ImportBatch
from apps.elevate import selectors as elevate_selectors
from apps.elevate import services as elevate_services
from apps.elevate.models import ChecklistItem
from apps.instruments import services as instrument_services
from apps.instruments import studies as instrument_studies
from apps.instruments.models import Instrument
from apps.reviews import assignment as engine
from apps.reviews import services as review_services
from apps.reviews.comprehension import services as comprehension_services
from apps.reviews.models import Adjudication, RaterFlag, StudyItem
from apps.reviews.quality import onboarding
from apps.scoring.models import GeneratorVersion, RewardModel
from tests.corpus.factories import DocumentFactory, SegmentFactory
from tests.factories import PASSWORD, RaterGroupFactory
from tests.reviews import factories as review_factories
from tests.reviews.comprehension import factories as comprehension_factories
from tests.scoring.factories import CandidateFactory, ModelRunFactory

# Strings a rater must never read (besides the producers' names, collected from the database).
DRAFT_SECRET_A = "zq draft comment of rater A"
RATING_SECRET_A = "zq submitted comment of rater A"
RATING_SECRET_B = "zq submitted comment of rater B"
GENERATOR_NAME = "zq-secret-generator-7b"
PRODUCER_NAMES = ("zq-secret-producer-x",)
CF_PRODUCER_NAME = "zq-secret-producer-cf"
# A study's internal name and description (curators only; they may name the models compared).
STUDY_NAME = "zq internal study name: model x vs model y"
STUDY_DESCRIPTION = "zq internal description of the study"
STUDY_RATER_TITLE = "Rate answers to kidney questions"
STUDY_INSTRUCTIONS = "Read each answer as a patient would."


@dataclass
class World:
    anonymous: None = None
    rater_a: object = None
    rater_b: object = None
    curator: object = None
    admin: object = None
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None

    def user(self, role: str):
        return getattr(self, role)


def _user(username: str, role: Role, group: str | None = None):
    return accounts_services.user_create(
        username=username,
        password=PASSWORD,
        role=role,
        email=f"{username}@example.org",
        rater_group=RaterGroupFactory(slug=group) if group else None,
    )


def build_world() -> World:
    w = World()
    o = w.objects
    w.curator = _user("cora_curator_zq", Role.CURATOR)
    w.admin = _user("ada_admin_zq", Role.ADMIN)
    w.rater_a = _user("ravi_physician_zq", Role.RATER, "physician")
    w.rater_b = _user("rosa_consumer_zq", Role.RATER, "consumer")
    o["profile_a"] = w.rater_a.rater_profile

    # corpus, import batch, model run and candidate, reward model
    o["document"] = DocumentFactory(title="Access matrix document")
    o["segment"] = SegmentFactory(document=o["document"], position=1)
    o["source"] = o["document"].source
    o["import_batch"] = ImportBatch.objects.create(
        file_name="segments.csv", format="csv", preset="simpledc", created_by=w.curator
    )
    o["run"] = ModelRunFactory(model_name=GENERATOR_NAME, requested_by=w.curator)
    o["candidate"] = CandidateFactory(run=o["run"], segment=o["segment"])
    o["reward_model"] = RewardModel.objects.create(version=1, created_by=w.curator)
    train_run = ModelRunFactory(kind="train", parameters={"target": "sft"}, requested_by=w.curator)
    o["generator_version"] = GeneratorVersion.objects.create(
        run=train_run,
        method="sft",
        base_model=GENERATOR_NAME,
        base_revision="r1",
        model_name=f"{GENERATOR_NAME}+sft",
        model_revision="r1+lora-1",
        adapter_path="generators/run-x",
        adapter_sha256="0" * 64,
    )
    o["evaluation_run"] = ModelRunFactory(
        kind="evaluate",
        model_name="base vs SFT",
        parameters={"generators": [{"label": "base"}], "split": "test"},
        requested_by=w.curator,
    )

    # EquityMedQA: a set with answers by named producers, a counterfactual pair
    o["qset"], o["producers"] = review_factories.question_set_with_answers(4, producers=PRODUCER_NAMES)
    o["question"] = o["qset"].questions.order_by("position").first()
    o["answer"] = o["question"].answers.first()
    o["cf_set"], _ = review_factories.counterfactual_set(1, producer_name=CF_PRODUCER_NAME)
    o["pair"] = o["cf_set"].pairs.first()

    # A launched study: rater A holds a draft and a submitted rating, rater B a submitted rating.
    o["study"] = review_factories.study(
        "independent",
        actor=w.curator,
        qset=o["qset"],
        producers=o["producers"],
        quotas={"physician": 1, "consumer": 1},
        name=STUDY_NAME,
        description=STUDY_DESCRIPTION,
        rater_title=STUDY_RATER_TITLE,
        rater_instructions=STUDY_INSTRUCTIONS,
    )
    o["rubric"] = o["study"].rubric
    rated_a = engine.assignment_lease_next(study=o["study"], rater=w.rater_a)
    o["rating_a"] = engine.assignment_submit(
        assignment_id=rated_a.pk, rater=w.rater_a, response={"bias": "none", "comment": RATING_SECRET_A}
    )
    o["assignment_a_submitted"] = rated_a
    o["assignment_a"] = engine.assignment_lease_next(study=o["study"], rater=w.rater_a)
    engine.assignment_draft_save(
        assignment_id=o["assignment_a"].pk,
        rater=w.rater_a,
        draft={"bias": "minor", "comment": DRAFT_SECRET_A},
    )
    rated_b = engine.assignment_lease_next(study=o["study"], rater=w.rater_b)
    o["rating_b"] = engine.assignment_submit(
        assignment_id=rated_b.pk,
        rater=w.rater_b,
        response={"bias": "severe", "dimensions": ["other"], "comment": RATING_SECRET_B},
    )
    o["assignment_b"] = rated_b
    o["item"] = StudyItem.objects.get(pk=rated_a.item_id)
    o["flag"] = RaterFlag.objects.create(
        rater=w.rater_a, study=o["study"], kind=RaterFlag.Kind.TOO_FAST, details={"count": 3}
    )
    o["consent"] = onboarding.consent_publish(
        study=o["study"], instructions="Rate calmly.", consent_text="I agree to take part.", actor=w.curator
    )
    o["adjudication"] = Adjudication.objects.create(
        study=o["study"], item=o["item"], label={"bias": "none"}, reason="Matrix check", adjudicator=w.curator
    )
    from apps.reviews.autoraters.models import Autorater

    o["autorater"] = Autorater.objects.create(  # a model rater's record (no job: nothing is queued here)
        study=o["study"],
        name="Matrix model rater",
        template_version="rubric-json v1",
        system_prompt="…",
        seed=1,
    )

    # ELEVATE: two assessments of one subject (to compare), the template and one of its items
    o["template"] = elevate_selectors.template_current()
    o["elevate_item"] = ChecklistItem.objects.filter(domain__template=o["template"]).first()
    subject = {"subject_kind": "publication", "title": "Matrix paper", "doi": "10.1000/matrix.1"}
    o["assessment"] = elevate_services.assessment_create(assessor=w.curator, **subject)
    o["assessment_other"] = elevate_services.assessment_create(assessor=w.admin, **subject)

    # instruments: a PEMAT-P assessment of the corpus document, and one of its items
    o["instrument"] = Instrument.objects.get(key="pemat-p", version=1)
    o["instrument_item"] = o["instrument"].items.get(code="1")
    o["instrument_assessment"], _ = instrument_services.assessment_start(
        assessor=w.curator, instrument=o["instrument"], document=o["document"], side="original"
    )

    # comprehension: a passage of the corpus document, a study of it, rater A's item in it
    o["comprehension_passage"] = comprehension_services.passage_create(
        document=o["document"], questions=[comprehension_factories.question()], actor=w.curator
    )
    o["comprehension_study"] = review_services.study_transition(
        study=comprehension_services.comprehension_study_create(
            name="Matrix comprehension",
            passage_ids=[o["comprehension_passage"].pk],
            quotas={"physician": 1},
            actor=w.curator,
        ),
        action="launch",
        actor=w.curator,
    )
    o["comprehension_assignment"] = engine.assignment_lease_next(
        study=o["comprehension_study"], rater=w.rater_a
    )

    # an instrument study of the corpus document: rater A's item and study assessment in it
    o["instrument_study"] = review_services.study_transition(
        study=instrument_studies.instrument_study_create(
            name="Matrix instrument study",
            instrument=o["instrument"],
            document_ids=[o["document"].pk],
            quotas={"physician": 1},
            actor=w.curator,
        ),
        action="launch",
        actor=w.curator,
    )
    o["instrument_assignment"] = engine.assignment_lease_next(study=o["instrument_study"], rater=w.rater_a)
    o["instrument_study_assessment"], _ = instrument_studies.study_assessment_start(
        assignment_id=o["instrument_assignment"].pk, rater=w.rater_a
    )

    # jobs, tokens, webhooks, invitations
    o["job"] = Job.objects.create(kind="recount", requested_by=w.curator)
    o["token_a"], _ = accounts_services.token_create(user=w.rater_a, name="rater A's script")
    o["webhook"] = webhooks.webhook_create(
        owner=w.curator, url="https://hooks.example.org/equitext", events=["study.completed"]
    )
    o["invitation"], link = accounts_services.invitation_create(
        name="Invited Rater", email="", group="physician", actor=w.curator, base_url="http://testserver/"
    )
    o["invitation_token"] = link.rstrip("/").rsplit("/", 1)[-1]
    o["audit_entry"] = AuditLog.objects.filter(action="rating.submit").first()  # rater A's own rating
    for obj in o.values():
        if hasattr(obj, "refresh_from_db"):
            obj.refresh_from_db()
    return w
