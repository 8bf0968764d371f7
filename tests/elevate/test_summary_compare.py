"""Per-domain completeness with the list of gaps; two assessors side by side; the printable report."""

import re

import pytest
from django.urls import reverse

from apps.elevate import selectors, services
from tests.elevate.conftest import item

pytestmark = pytest.mark.django_db


def answer(assessment, user, code, status, comment=""):
    services.response_save(
        assessment=assessment, item=item(assessment, code), actor=user, status=status, comment=comment
    )


def test_summary_counts_each_domain_and_lists_the_gaps(client, curator, publication):
    answer(publication, curator, "5.1", "reported")
    answer(publication, curator, "5.2", "partial", "Temperature only.")
    answer(publication, curator, "5.3", "not_reported", "No seeds.")
    answer(publication, curator, "5.4", "not_applicable")

    sections = {s.domain.order: s for s in selectors.assessment_sections(publication)}
    five = sections[5]
    assert (five.answered, five.total, five.reported) == (4, 6, 2)
    assert [row.item.code for row in five.gaps] == ["5.2", "5.3", "5.5", "5.6"]

    client.force_login(curator)
    html = client.get(reverse("elevate:assessment_summary", args=[publication.pk])).content.decode()
    row = re.search(r'<tr data-domain="5">.*?</tr>', html, re.S).group(0)
    assert "<td>4/6</td>" in row and "<td>2/6</td>" in row and "<td>4</td>" in row
    gap_codes = re.findall(r'<tr class="elevate-gap-(\w+)" data-item-code="([\d.]+)">', html)
    assert ("partial", "5.2") in gap_codes and ("not_reported", "5.3") in gap_codes
    assert ("unanswered", "5.5") in gap_codes and ("unanswered", "1.1") in gap_codes
    assert all(code not in ("5.1", "5.4") for _, code in gap_codes)
    assert "Temperature only." in html


def test_compare_shows_two_assessors_side_by_side_with_disagreements_highlighted(
    client, curator, other_curator, publication
):
    theirs = services.assessment_create(
        assessor=other_curator, subject_kind="publication", title="Same paper", doi=publication.doi
    )
    assert theirs.subject_key == publication.subject_key
    for assessment, user in ((publication, curator), (theirs, other_curator)):
        answer(assessment, user, "1.1", "reported")
    answer(publication, curator, "5.1", "reported")
    answer(theirs, other_curator, "5.1", "partial", "System prompt missing.")
    answer(publication, curator, "7.1", "not_applicable")

    client.force_login(curator)
    form = client.get(reverse("elevate:assessment_detail", args=[publication.pk])).content.decode()
    compare_url = reverse("elevate:assessment_compare", args=[publication.pk, theirs.pk])
    assert f'href="{compare_url}">Compare with dave' in form

    html = client.get(compare_url).content.decode()
    disagreeing = re.findall(r'data-item-code="([\d.]+)" data-disagree="true"', html)
    # 5.1 differs in status; 7.1 is answered by one assessor only; 1.1 agrees; the rest are blank in both.
    assert disagreeing == ["5.1", "7.1"]
    assert "<strong>2</strong> items with different answers" in html
    assert "System prompt missing." in html and ">alice</a>" in html and ">dave</a>" in html


def test_compare_lines_up_different_template_versions_by_item_code(curator, other_curator, publication):
    services.template_item_update(item=item(publication, "5.1"), actor=curator, wording="Prompts, verbatim.")
    theirs = services.assessment_create(
        assessor=other_curator, subject_kind="publication", title="Same", doi=publication.doi
    )
    assert theirs.template.version == 2
    answer(publication, curator, "5.1", "reported")
    answer(theirs, other_curator, "5.1", "reported")
    rows = {
        row.code: row
        for section in selectors.assessments_compare(publication, theirs)
        for row in section.rows
    }
    assert not rows["5.1"].disagree and rows["5.1"].right.status == "reported"


def test_the_printable_report_lists_every_item_and_has_print_styles(client, curator, publication):
    answer(publication, curator, "2.2", "partial", "No confidence intervals.")
    client.force_login(curator)
    html = client.get(reverse("elevate:assessment_report", args=[publication.pk])).content.decode()
    assert html.count('<span class="elevate-code">') == len(
        [r for s in selectors.assessment_sections(publication) for r in s.rows]
    )
    assert "No confidence intervals." in html and "data-print" in html, "a Print button (app.js prints)"
    css = client.get("/static/css/elevate.css")
    assert "@media print" in b"".join(css.streaming_content).decode()
