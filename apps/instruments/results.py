"""Results per corpus document: each instrument's scores for the original and the simplified text side
by side, with the item breakdown, and the agreement between assessors of the same subject.

A subject is (instrument version, side, text hash): assessments of an earlier text of a side are a
different subject and are shown apart ("earlier text"). Agreement: Krippendorff's α (nominal; answer
categories = the item's options and N/A) per scale, the items of the scale as units and the submitted
assessments of one subject as raters, with a 95% BCa interval resampling items (1,000 resamples, seed
`AGREEMENT_SEED`), computed by `apps.reviews.agreement`.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import mean

from apps.instruments import selectors
from apps.instruments.models import NA, Instrument, InstrumentAssessment, InstrumentItem, Side
from apps.instruments.subjects import subject_text
from apps.reviews import agreement

AGREEMENT_SEED = 20
AGREEMENT_METHOD = (
    "Krippendorff's α, nominal (answer options and N/A as categories), items of the scale as units and the "
    "submitted assessments of this text as raters; 95% BCa interval from 1,000 bootstrap resamples of items "
    f"(seed {AGREEMENT_SEED})."
)


@dataclass
class AssessmentResult:
    assessment: InstrumentAssessment
    scales: list[selectors.ScaleResult]
    answers: dict[str, str]  # item code → value (counted answers only)


@dataclass
class ScaleAgreement:
    scale: str
    name: str
    estimate: agreement.Estimate


@dataclass
class SubjectResult:
    """All assessments of one subject and what they add up to."""

    instrument: Instrument
    side: str
    text_sha256: str
    current: bool  # the side's text is still the one assessed
    assessments: list[AssessmentResult] = field(default_factory=list)
    agreement: list[ScaleAgreement] = field(default_factory=list)

    @property
    def submitted(self) -> list[AssessmentResult]:
        return [r for r in self.assessments if r.assessment.is_submitted]

    def mean_percent(self, scale: str) -> float | None:
        """Mean score of the submitted assessments on `scale` (None if none has a score)."""
        values = [
            s.score.percent
            for r in self.submitted
            for s in r.scales
            if s.group.code == scale and s.score.percent is not None
        ]
        return mean(values) if values else None


@dataclass
class ItemRow:
    item: InstrumentItem
    original: list[str]
    simplified: list[str]


@dataclass
class InstrumentResult:
    instrument: Instrument
    subjects: dict[str, list[SubjectResult]]  # side → subjects, the current text first
    scale_names: list[tuple[str, str, float | None, str]]  # (code, name, reading-aid threshold, reading aid)
    items: list[ItemRow]

    def current(self, side: str) -> SubjectResult | None:
        found = [s for s in self.subjects.get(side, []) if s.current]
        return found[0] if found else None

    @property
    def side_by_side(self) -> list[dict]:
        """Per scale: the mean submitted score of the current original and simplified texts, and n."""
        rows = []
        for code, name, threshold, reading_aid in self.scale_names:
            row = {"scale": code, "name": name, "threshold": threshold, "reading_aid": reading_aid}
            for side in Side.values:
                subject = self.current(side)
                row[side] = subject.mean_percent(code) if subject else None
                row[f"{side}_n"] = len(subject.submitted) if subject else 0
            row["difference"] = (
                row["simplified"] - row["original"]
                if row["simplified"] is not None and row["original"] is not None
                else None
            )
            rows.append(row)
        return rows


def _agreement(specs: tuple, results: list[AssessmentResult]) -> list[ScaleAgreement]:
    """α per scale over the submitted assessments of one subject (needs two or more)."""
    submitted = [r for r in results if r.assessment.is_submitted]
    if len(submitted) < 2:
        return []
    specs, scales = specs
    out = []
    for scale in scales:
        scale_specs = [s for s in specs if s.group == scale.code]
        categories = sorted({v for s in scale_specs for v in s.points} | {NA})
        units = [[r.answers[s.code] for r in submitted if r.answers.get(s.code)] for s in scale_specs]
        estimate = agreement.alpha_estimate(units, categories, "nominal", seed=AGREEMENT_SEED)
        out.append(ScaleAgreement(scale=scale.code, name=scale.name, estimate=estimate))
    return out


def document_results(document, user) -> list[InstrumentResult]:
    """Every instrument version used on `document`, with its subjects (sides × texts) and scores."""
    current_hash = {side: subject_text(document, side).sha256 for side in Side.values}
    return results_for(selectors.assessments_visible_to(user).filter(document=document), current_hash)


def results_for(assessments, current_hash: dict[str, str]) -> list[InstrumentResult]:
    """The results of these assessments (of one document), per instrument version; `current_hash` gives,
    per side, the text that counts as current (the corpus text now, or the text a study showed)."""
    assessments = list(
        assessments.prefetch_related("answers__item").order_by(
            "instrument__key", "instrument__version", "side", "assessor__username"
        )
    )
    by_instrument: dict[int, list[InstrumentAssessment]] = defaultdict(list)
    for assessment in assessments:
        by_instrument[assessment.instrument_id].append(assessment)
    results = []
    for group in by_instrument.values():
        instrument = group[0].instrument
        items = list(instrument.items.filter(answer_kind=InstrumentItem.AnswerKind.CHOICE).order_by("order"))
        specs = selectors.item_specs(instrument)
        subjects: dict[tuple[str, str], SubjectResult] = {}
        for assessment in group:
            key = (assessment.side, assessment.text_sha256)
            subject = subjects.get(key)
            if subject is None:
                subject = subjects[key] = SubjectResult(
                    instrument=instrument,
                    side=assessment.side,
                    text_sha256=assessment.text_sha256,
                    current=current_hash.get(assessment.side) == assessment.text_sha256,
                )
            answers = {a.item.code: (a.value, a.confirmed) for a in assessment.answers.all()}
            subject.assessments.append(
                AssessmentResult(
                    assessment=assessment,
                    scales=selectors.scores_from_answers(instrument, answers, specs=specs),
                    answers={code: value for code, (value, counts) in answers.items() if counts and value},
                )
            )
        for subject in subjects.values():
            subject.agreement = _agreement(specs, subject.assessments)
        by_side = {
            side: sorted((s for s in subjects.values() if s.side == side), key=lambda s: not s.current)
            for side in Side.values
        }
        _, scales = specs
        results.append(
            InstrumentResult(
                instrument=instrument,
                subjects=by_side,
                scale_names=[(g.code, g.name, g.reading_aid_threshold, g.reading_aid) for g in scales],
                items=[_item_row(item, by_side) for item in items],
            )
        )
    return results


def _item_row(item: InstrumentItem, by_side: dict[str, list[SubjectResult]]) -> ItemRow:
    """The submitted answers to `item` on the current text of each side (labels)."""
    cells = {}
    for side in Side.values:
        current = [s for s in by_side.get(side, []) if s.current]
        values = [r.answers.get(item.code, "") for s in current for r in s.submitted]
        cells[side] = [selectors.answer_label(item, v) if v else "—" for v in values]
    return ItemRow(item=item, original=cells[Side.ORIGINAL], simplified=cells[Side.SIMPLIFIED])


def subject_as_dict(subject: SubjectResult) -> dict:
    """A subject's results as plain data (the API)."""
    return {
        "instrument": subject.instrument.pk,
        "side": subject.side,
        "text_sha256": subject.text_sha256,
        "current_text": subject.current,
        "assessments": [
            {
                "id": r.assessment.pk,
                "assessor": r.assessment.assessor.username,
                "status": r.assessment.status,
                "scores": [s.score.as_dict() for s in r.scales],
            }
            for r in subject.assessments
        ],
        "mean_submitted": {
            s.group.code: subject.mean_percent(s.group.code)
            for s in (subject.assessments[0].scales if subject.assessments else [])
        },
        "n_submitted": len(subject.submitted),
        "agreement": [
            {"scale": a.scale, **a.estimate.as_dict(), "method": AGREEMENT_METHOD} for a in subject.agreement
        ],
    }
