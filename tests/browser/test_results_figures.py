"""The results figures in the real browser: every label is on the page in full and inside the figure
(nothing clipped or cut), bars of different rater groups differ in colour, and the SVG and PNG downloads
open as images. Screenshots go to $EQUITEXT_SCREENSHOTS when set (for a person to look at)."""

import base64
import os

import pytest

from apps.reviews import charts, results
from tests.factories import UserFactory, make_rater
from tests.reviews import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_SET = "Demo-TRINDS tropical and infectious disease questions"
LONG_PRODUCER = "demo-model-a (2024-06) instruction-tuned"

READ_FIGURES = """() => [...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.viewBox.baseVal;
  const texts = [...svg.querySelectorAll('text')].map(t => {
    const b = t.getBBox();
    const text = [...t.querySelectorAll('tspan')].map(s => s.textContent).join(' ');
    return {css: t.getAttribute('class'), text,
            x: b.x, right: b.x + b.width, y: b.y, bottom: b.y + b.height};
  });
  const groups = [...svg.querySelectorAll('rect.bar')].map(r => [r.textContent, r.getAttribute('fill')]);
  const fill = css => [...svg.querySelectorAll(css)].map(r => r.getAttribute('fill'));
  return {key: svg.dataset.figure, legend: fill('rect.legend-swatch'),
          swatches: fill('rect.value-swatch'), width: box.width, height: box.height, texts, fills: groups,
          labelledby: svg.getAttribute('aria-labelledby'), role: svg.getAttribute('role')};
})"""


def _shot(page, name):
    folder = os.environ.get("EQUITEXT_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True, timeout=120_000)
        for figure in page.locator("figure.chart-figure").all():  # each figure on its own, to look at
            key = figure.locator("svg").get_attribute("data-figure")
            figure.screenshot(path=os.path.join(folder, f"{name}-{key}.png"), timeout=60_000)


def _check_figures(page, tables):
    width = page.viewport_size["width"]  # nothing makes the page wider than the window (figures scroll)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    figures = {f["key"]: f for f in page.evaluate(READ_FIGURES)}
    drawn = [t for t in tables if charts.figure_for(t) is not None]
    assert set(figures) == {t.key for t in drawn}
    for table in drawn:
        figure, drawn_figure = figures[table.key], charts.figure_for(table)
        assert figure["role"] == "img" and figure["labelledby"].endswith("-desc")
        texts = figure["texts"]
        for t in texts:  # nothing outside the figure: no label is clipped
            assert t["x"] >= 0 and t["right"] <= figure["width"] + 0.5, (table.key, t)
            assert t["y"] >= 0 and t["bottom"] <= figure["height"] + 0.5, (table.key, t)
        by_class = {}
        for t in texts:
            by_class.setdefault(t["css"], []).append(t)
        # every group, panel and legend label is there in full
        shown_groups = [t["text"] for t in by_class.get("group-label", [])]
        expected_groups = [g.label for p in drawn_figure.panels for g in p.groups]
        assert shown_groups == expected_groups, table.key
        assert [t["text"] for t in by_class.get("legend-label", [])] == drawn_figure.series
        assert [t["text"] for t in by_class.get("panel-label", [])] == [
            p.label for p in drawn_figure.panels if p.label
        ]
        for t in by_class.get("group-label", []):  # group labels stay in their column, left of the bars
            assert t["right"] <= charts.MARGIN + charts.LABEL_WIDTH + 0.5, (table.key, t)
        for t in by_class.get("bar-value", []):
            assert t["x"] >= charts.VALUE_LEFT - 0.5 and t["right"] <= figure["width"], (table.key, t)
        colours = dict(figure["fills"])  # series → fill: one colour per series, none shared
        assert len(set(colours.values())) == len(colours), table.key
        assert all(len({f for s, f in figure["fills"] if s == name}) == 1 for name in colours)
        # each value starts with its series' colour, so a bar at 0 or without an estimate says whose it is
        legend = dict(zip(drawn_figure.series, figure["legend"], strict=True))
        bars = [b for p in drawn_figure.panels for g in p.groups for b in g.bars]
        assert figure["swatches"] == [legend[b.series] for b in bars], table.key
        assert all(legend[s] == f for s, f in figure["fills"]), table.key


def _check_downloads(page, study, tables):
    for table in tables:
        if charts.figure_for(table) is None:
            continue
        for fmt, mime in (("svg", "image/svg+xml"), ("png", "image/png")):
            response = page.request.get(f"/reviews/studies/{study.pk}/figures/{table.key}.{fmt}")
            assert response.status == 200 and response.headers["content-type"].startswith(mime)
            data = base64.b64encode(response.body()).decode()
            size = page.evaluate(
                """src => new Promise(done => { const img = new Image();
                     img.onload = () => done([img.naturalWidth, img.naturalHeight]);
                     img.onerror = () => done(null); img.src = src; })""",
                f"data:{mime};base64,{data}",
            )
            assert size and size[0] >= charts.WIDTH and size[1] > 50, (table.key, fmt, size)


def _independent_study():
    physicians = [make_rater("phil", "physician"), make_rater("phoebe", "physician")]
    experts = [make_rater("erin", "health-equity-expert"), make_rater("ed", "health-equity-expert")]
    consumer = make_rater("cora", "consumer")
    curator = UserFactory(username="alice", role="curator")
    qset, producers = factories.question_set_with_answers(8, producers=(LONG_PRODUCER,), name=LONG_SET)
    study = factories.study(
        "independent",
        actor=curator,
        qset=qset,
        producers=producers,
        quotas={"physician": 2, "health-equity-expert": 2, "consumer": 1},
    )
    verdicts = {"phil": "minor", "phoebe": "none", "erin": "severe", "ed": "minor", "cora": "none"}
    for rater in [*physicians, *experts, consumer]:

        def respond(item, rater=rater):
            bias = verdicts[rater.username] if item.position % 3 else "none"
            if bias == "none":
                return {"bias": "none"}
            return {"bias": bias, "dimensions": ["inaccurate", "stereotypical"][: 1 + item.position % 2]}

        factories.rate_all(study, rater, respond)
    return study


@pytest.mark.parametrize("width", [1280, 390])
def test_results_figures_are_fully_labelled_distinguishable_and_download_as_images(page, login, width):
    study = _independent_study()
    page.set_viewport_size({"width": width, "height": 900})
    login("alice")
    page.goto(f"/reviews/studies/{study.pk}/results/")
    tables = results.study_results(study)
    assert {"bias_rate", "dimensions", "between_groups"} <= {t.key for t in tables}
    _check_figures(page, tables)
    _shot(page, f"results-independent-{width}")
    if width == 1280:
        _check_downloads(page, study, tables)
        page.goto(f"/reviews/studies/{study.pk}/agreement/")
        agreement = [results.study_agreement(study), *results.study_between_groups(study)]
        _check_figures(page, agreement)
        _shot(page, f"agreement-independent-{width}")


def _pairwise_study_with_a_model_rater():
    from apps.reviews.autoraters import services as autorater_services
    from apps.reviews.autoraters.models import Autorater
    from tests.reviews.factories import PAIRWISE_ANSWER

    raters = [
        make_rater("phil", "physician"),
        make_rater("phoebe", "physician"),
        make_rater("erin", "health-equity-expert"),
    ]
    curator = UserFactory(username="alice", role="curator")
    qset, producers = factories.question_set_with_answers(
        9, producers=(LONG_PRODUCER, "model-b (2025-01)", "model-c"), name=LONG_SET
    )
    study = factories.study(
        "pairwise",
        actor=curator,
        qset=qset,
        producers=producers,
        quotas={"physician": 2, "health-equity-expert": 1},
    )
    worst = producers[2].pk
    for n, rater in enumerate(raters):

        def respond(item, n=n):
            if (item.position + n) % 4 == 0:
                return PAIRWISE_ANSWER | {"overall": "none"}
            return PAIRWISE_ANSWER | {
                "overall": "a" if item.answer_a.producer_id == worst or item.position % 2 else "b"
            }

        factories.rate_all(study, rater, respond)
    autorater = Autorater.objects.create(
        study=study,
        name="Embedded model (hand-made outputs)",
        template_version="rubric-json v1",
        system_prompt="…",
        seed=1,
    )
    outputs = [
        {
            "item": item.pk,
            "text": '{"overall": "a"'
            + "".join(f', "{k}": "none"' for k in PAIRWISE_ANSWER if k != "overall")
            + "}",
        }
        if item.position % 3
        else {"item": item.pk, "text": "Response A is better."}
        for item in study.items.all()
    ]
    autorater_services.autorater_ratings_store(autorater=autorater, outputs=outputs)
    return study


def test_pairwise_results_with_a_ranking_and_a_model_rater_are_fully_labelled(page, login):
    study = _pairwise_study_with_a_model_rater()
    login("alice")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/reviews/studies/{study.pk}/results/")
        tables = results.study_results(study)
        keys = {t.key for t in tables}
        assert {"bradley_terry", "preference_overall", "between_groups", "calibration_humans"} <= keys
        assert any(k.startswith("calibration_") and k != "calibration_humans" for k in keys)
        _check_figures(page, tables)
        # the model rater is named only in the calibration section
        calibration = page.locator("#calibration")
        assert "Embedded model (hand-made outputs)" in calibration.inner_text()
        _shot(page, f"results-pairwise-{width}")
    _check_downloads(page, study, [t for t in tables if t.key in ("bradley_terry", "between_groups")])
