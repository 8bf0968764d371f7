"""The shipped instruments: the published item counts, N/A options, scoring points, sources, the
unverified parts marked; seeded after every migrate without undoing an admin's edit."""

import pytest

from apps.instruments import services
from apps.instruments.models import Instrument
from apps.instruments.seed import instruments_seed
from tests.instruments.conftest import instrument, item

pytestmark = pytest.mark.django_db


def codes(instr, scale: str, **filters) -> list[str]:
    items = instr.items.filter(answer_kind="choice", **filters).select_related("group__parent")
    return [i.code for i in items.order_by("order") if (i.group.parent or i.group).code == scale]


def test_pemat_p_has_17_understandability_and_7_actionability_items_with_the_published_na_options():
    pemat = instrument("pemat-p")
    assert codes(pemat, "understandability") == [str(n) for n in [*range(1, 13), *range(15, 20)]]
    assert codes(pemat, "actionability") == [str(n) for n in range(20, 27)]
    assert codes(pemat, "understandability", na_allowed=True) == [
        "6",
        "8",
        "9",
        "11",
        "12",
        "16",
        "17",
        "18",
        "19",
    ]
    assert codes(pemat, "actionability", na_allowed=True) == ["24", "25"]
    assert item(pemat, "6").na_label == "No numbers" and item(pemat, "8").na_label == "Very short material"
    assert item(pemat, "1").options == [
        {"value": "agree", "label": "Agree", "points": 1},
        {"value": "disagree", "label": "Disagree", "points": 0},
    ]


def test_pemat_av_has_13_plus_4_items():
    pemat = instrument("pemat-av")
    assert codes(pemat, "understandability") == [
        "1",
        "3",
        "4",
        "5",
        "8",
        "9",
        "10",
        "11",
        "12",
        "13",
        "14",
        "18",
        "19",
    ]
    assert codes(pemat, "actionability") == ["20", "21", "22", "25"]
    assert item(pemat, "13").na_label == "No text or all text is narrated"


def test_the_cci_has_4_unscored_questions_and_20_items_in_its_areas_and_the_modified_index_is_marked():
    cci = instrument("cci")
    assert [i.code for i in cci.items.filter(answer_kind="text")] == ["I1", "I2", "I3", "I4"]
    assert codes(cci, "cci") == [str(n) for n in range(1, 21)]
    assert codes(cci, "cci", na_allowed=True) == [str(n) for n in range(12, 21)]
    areas = [g.name for g in cci.groups.filter(kind="topic").order_by("order")]
    assert areas == [
        "Main message and call to action",
        "Language",
        "Information design",
        "State of the science",
        "Behavioral recommendations",
        "Numbers",
        "Risk",
    ]
    assert [o["points"] for o in item(cci, "17").options] == [0, 1]  # "Yes" (must calculate) scores 0
    assert cci.groups.get(code="cci").reading_aid_threshold == 90
    modified = instrument("cci-modified")
    assert codes(modified, "cci") == [str(n) for n in [1, 2, 5, 6, 7, 10, *range(11, 21)]]
    assert not modified.items.filter(answer_kind="choice", verified=True).exists()
    assert "UNVERIFIED item selection" in modified.verification_note


def test_every_item_says_where_its_text_came_from_and_unverified_ones_say_so():
    for instr in Instrument.objects.all():
        assert instr.licence_note.startswith("US government work") and instr.source_url.startswith("https://")
        for it in instr.items.all():
            assert it.source_note, (instr.key, it.code)
            if not it.verified:
                assert "UNVERIFIED" in it.source_note, (instr.key, it.code)
    pemat = instrument("pemat-p")
    assert [i.code for i in pemat.items.filter(verified=False)] == ["24", "25"]
    assert [i.code for i in instrument("cci").items.filter(verified=False)] == ["12"]


def test_seeding_again_creates_nothing_and_never_undoes_an_admins_edit(admin_user):
    assert instruments_seed() == 0
    pemat = instrument("pemat-p")
    services.instrument_item_update(item=item(pemat, "3"), actor=admin_user, text="Edited by an admin.")
    Instrument.objects.filter(key="cci-modified").delete()
    assert instruments_seed() == 1  # only the missing instrument comes back
    assert item(instrument("pemat-p"), "3").text == "Edited by an admin."
    assert Instrument.objects.filter(key="pemat-p").count() == 1
