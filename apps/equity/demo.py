"""Demo question sets and answers (`make run`), written by the Equitext team in the EquityMedQA release's
exact file shapes and loaded through the same import services a curator uses. Idempotent."""

from pathlib import Path

from apps.equity import import_services
from apps.equity.models import Answer, QuestionSet

DATA = Path(__file__).resolve().parent / "demo_data"
QUESTION_FILES = [
    "equitymedqa_demo_omaq.csv",
    "equitymedqa_demo_ehai.csv",
    "equitymedqa_demo_trinds.csv",
    "equitymedqa_demo_cc_manual.csv",
]
ANSWER_FILES = ["demo_answers_model_a.csv", "demo_answers_model_b.jsonl"]
PROVENANCE = (
    "Demo data written by the Equitext team in the shape of the EquityMedQA release (not from the release). "
    "Some demo answers are deliberately biased, for rating practice."
)


def _loaded() -> bool:
    """Every demo set is there with answers from every demo producer (then a run imports nothing, and
    leaves no import entries in the audit log at every `make run`)."""
    demo_sets = QuestionSet.objects.filter(provenance=PROVENANCE)
    producers = Answer.objects.filter(question__question_set__in=demo_sets).values("producer").distinct()
    return demo_sets.count() == len(QUESTION_FILES) and producers.count() == len(ANSWER_FILES)


def load() -> int:
    """Import the demo files; returns the rows created (0 on a second run)."""
    if _loaded():
        return 0
    created = 0
    for name in QUESTION_FILES:
        with (DATA / name).open("rb") as file:
            report = import_services.question_set_import(file_name=name, file=file)
        _check(report)
        created += report.counts.get("questions_created", 0) + report.counts.get("pairs_created", 0)
        QuestionSet.objects.filter(name=report.question_set, provenance__startswith="Imported from").update(
            provenance=PROVENANCE, licence="CC-BY-4.0"
        )
    for name in ANSWER_FILES:
        with (DATA / name).open("rb") as file:
            report = import_services.answers_import(file_name=name, file=file)
        _check(report)
        created += report.counts["answers_created"]
    return created


def _check(report) -> None:
    if not report.ok:
        raise RuntimeError(
            f"demo file {report.file_name} did not import: {'; '.join(map(str, report.errors))}"
        )
