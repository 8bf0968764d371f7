"""A curator uploads a file whose columns a preset reads by other names and sees, before anything is
written, which column became which field and the first rows; Cancel writes nothing, Import writes it.
Failed before: the upload wrote at once, and `text` was silently taken as the original."""

import pytest
from playwright.sync_api import expect

from apps.corpus.models import ImportBatch, Segment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = "text,plain,notes\nThe colon is part of the gut.,The colon is in your belly.,checked\n"


def _upload(page, tmp_path, name: str):
    path = tmp_path / name
    path.write_text(CSV, encoding="utf-8")
    page.goto("/corpus/import/")
    page.get_by_label("File:", exact=True).set_input_files(str(path))
    page.get_by_label("Preset:", exact=True).select_option("simpledc")
    page.get_by_role("button", name="Check and preview").click()


def test_curator_sees_the_mapping_and_first_rows_then_cancels_or_imports(login, curator, tmp_path):
    page = login("alice")
    page.goto("/corpus/import/")
    original = page.locator(
        "table[data-preset=simpledc] tr", has=page.get_by_role("rowheader", name="original")
    )
    expect(original).to_contain_text("source_text")  # every accepted name is listed
    _upload(page, tmp_path, "leaflet.csv")

    expect(page.locator("[data-state]")).to_have_text("Awaiting confirmation")
    mapping = page.locator("table[data-role=mapping]")
    expect(mapping.get_by_role("row", name="text original")).to_be_visible()
    expect(mapping.get_by_role("row", name="notes ignored (no field takes it)")).to_be_visible()
    expect(page.locator("table[data-role=first-rows]")).to_contain_text("The colon is in your belly.")
    page.get_by_role("button", name="Cancel: write nothing").click()
    expect(page.get_by_text("Import cancelled: nothing was written")).to_be_visible()
    assert not Segment.objects.exists()

    _upload(page, tmp_path, "leaflet.csv")
    page.get_by_role("button", name="Import 1 row").click()
    expect(page.locator("[data-state]")).to_have_text("Imported")
    segment = Segment.objects.get()
    assert segment.original == "The colon is part of the gut." and segment.document.title == "leaflet"
    assert list(ImportBatch.objects.order_by("pk").values_list("state", flat=True)) == ["cancelled", "done"]
