"""The instruments Equitext ships (PEMAT-P, PEMAT-A/V, CDC Clear Communication Index, modified Index),
created after every `migrate` (apps.py) when missing.

By key: an instrument whose key exists in any version is left alone, so an admin's edit (made as a new
version) is never undone and a deleted-and-recreated row is never duplicated.
"""

from django.db import transaction

from apps.instruments.cci import CCI, CCI_MODIFIED
from apps.instruments.models import Instrument, InstrumentGroup, InstrumentItem
from apps.instruments.pemat import PEMAT_AV, PEMAT_P

SHIPPED = [PEMAT_P, PEMAT_AV, CCI, CCI_MODIFIED]
INSTRUMENT_FIELDS = (
    "key",
    "name",
    "family",
    "variant",
    "description",
    "source_title",
    "source_publisher",
    "source_url",
    "source_date",
    "source_version",
    "licence_note",
    "score_rule",
    "verification_note",
)


@transaction.atomic
def instruments_seed() -> int:
    """Create every shipped instrument whose key is missing (version 1); returns how many were created."""
    existing = set(Instrument.objects.values_list("key", flat=True))
    created = 0
    for definition in SHIPPED:
        if definition["key"] not in existing:
            instrument_build(definition)
            created += 1
    return created


def instrument_build(definition: dict, *, version: int = 1) -> Instrument:
    """An instrument, its groups and its items from a definition of `pemat.py` / `cci.py`."""
    instrument = Instrument.objects.create(version=version, **{f: definition[f] for f in INSTRUMENT_FIELDS})
    orders = {"group": 0, "item": 0}

    def group(spec: dict, kind: str, parent=None) -> InstrumentGroup:
        orders["group"] += 1
        return InstrumentGroup.objects.create(
            instrument=instrument,
            parent=parent,
            order=orders["group"],
            code=spec["code"],
            name=spec["name"],
            kind=kind,
            description=spec.get("description", ""),
            reading_aid_threshold=spec.get("threshold"),
            reading_aid=spec.get("reading_aid", ""),
        )

    def items(owner: InstrumentGroup, specs: list[dict]) -> None:
        rows = []
        for spec in specs:
            orders["item"] += 1
            rows.append(
                InstrumentItem(
                    instrument=instrument,
                    group=owner,
                    order=orders["item"],
                    code=spec["code"],
                    text=spec["text"],
                    guidance=spec.get("guidance", ""),
                    answer_kind=spec.get("answer_kind", InstrumentItem.AnswerKind.CHOICE),
                    options=spec.get("options", []),
                    na_allowed=bool(spec.get("na_label")),
                    na_label=spec.get("na_label", ""),
                    constraints_rule=spec.get("constraints", []),
                    auto_rule=spec.get("auto_rule", ""),
                    verified=spec.get("verified", True),
                    source_note=spec.get("source_note", ""),
                )
            )
        InstrumentItem.objects.bulk_create(rows)

    for spec in definition["groups"]:
        top = group(spec, spec["kind"])
        items(top, spec.get("items", []))
        for topic in spec.get("topics", []):
            items(group(topic, InstrumentGroup.Kind.TOPIC, parent=top), topic["items"])
    return instrument
