"""Every JSONL export, and the dataset folders of a study and of the corpus, load with Hugging Face
`datasets` as they are: no manifest row, no extra column, as many rows as the manifest says. The
manifest is in the header, alone with `?manifest=only`, or as the first line with `?manifest=1`."""

import io
import json
import os
import zipfile

import pytest

from apps.corpus.models import Split
from tests.api.exports import body
from tests.corpus.factories import SegmentFactory, SourceFactory
from tests.factories import make_rater
from tests.reviews import factories
from tests.reviews.factories import PAIRWISE_ANSWER
from tests.scoring.factories import CandidateFactory, ModelRunFactory

pytestmark = pytest.mark.django_db
EXPORTS = [
    "corpus",
    "ratings",
    "candidates",
    "preferences",
    "assessments",
    "instrument-answers",
    "instrument-scores",
]


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))


def _load(path, tmp_path, name=None):
    import datasets

    if os.path.isdir(path):
        return datasets.load_dataset(str(path), name, cache_dir=str(tmp_path / "cache"))
    return datasets.load_dataset("json", data_files=str(path), cache_dir=str(tmp_path / "cache"))["train"]


@pytest.fixture
def data(curator, rater_physician):
    dave = make_rater("dana", "physician")
    source = SourceFactory(name="Test source", licence="CC-BY-4.0")
    segments = [
        SegmentFactory(document__source=source, split=split)
        for split in (Split.TRAIN, Split.TRAIN, Split.DEV, Split.TEST)
    ]
    run = ModelRunFactory()
    CandidateFactory(run=run, segment=segments[0], index=0, reward=0.9, text="Chemo after surgery.")
    CandidateFactory(run=run, segment=segments[0], index=1, reward=0.1, text="Adjuvant therapy.")
    qset, producers = factories.question_set_with_answers(4)
    study = factories.study(
        "pairwise", actor=curator, qset=qset, producers=producers, quotas={"physician": 2}
    )
    factories.rate_all(study, rater_physician, lambda item: PAIRWISE_ANSWER | {"comment": "Clear."})
    factories.rate_all(study, dave, lambda item: PAIRWISE_ANSWER)
    independent = factories.study(
        "independent", actor=curator, qset=qset, producers=producers[:1], quotas={"physician": 2}, name="Ind"
    )
    for rater in (rater_physician, dave):  # values of every type: text, list, none
        factories.rate_all(independent, rater, lambda item: {"bias": "minor", "dimensions": ["other"]})
    return study


def test_every_jsonl_export_loads_as_it_is(api_as, curator, data, tmp_path):
    client = api_as(curator)
    for name in EXPORTS:
        response = client.get(f"/api/v1/exports/{name}.jsonl")
        assert response.status_code == 200, name
        manifest = json.loads(response["X-Export-Manifest"])
        text = body(response)
        if not manifest["row_count"]:
            assert text == "", name  # an empty export is an empty file, not a manifest row
            continue
        path = tmp_path / f"{name}.jsonl"
        path.write_text(text, encoding="utf-8")
        dataset = _load(path, tmp_path)
        assert dataset.num_rows == manifest["row_count"], name
        assert set(dataset.column_names) <= set(manifest["fields"]), name  # no extra column
        assert "manifest" not in dataset.column_names
    counts = {
        n: client.get(f"/api/v1/exports/{n}.jsonl", {"manifest": "only"}).json()["row_count"] for n in EXPORTS
    }
    assert all(counts[n] for n in ("corpus", "ratings", "candidates", "preferences")), counts


def test_the_manifest_alone_or_as_an_opt_in_first_line(api_as, curator, data):
    client = api_as(curator)
    only = client.get("/api/v1/exports/ratings.jsonl", {"study": data.pk, "manifest": "only"})
    assert only.status_code == 200 and only["Content-Type"].startswith("application/json")
    manifest = only.json()
    assert manifest["export"] == "ratings" and manifest["filters"] == {"study": data.pk}
    first_line = client.get("/api/v1/exports/ratings.jsonl", {"study": data.pk, "manifest": "1"})
    lines = body(first_line).splitlines()
    assert json.loads(lines[0])["manifest"]["row_count"] == manifest["row_count"] == len(lines) - 1
    bad = client.get("/api/v1/exports/ratings.jsonl", {"manifest": "yes please"})
    assert bad.status_code == 400 and "manifest" in bad.json()["errors"]


def _unzip(response, tmp_path, folder):
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    archive.extractall(tmp_path)
    return tmp_path / folder


def test_the_study_dataset_folder_loads_with_its_card(api_as, curator, data, tmp_path):
    folder = _unzip(
        api_as(curator).get(f"/api/v1/studies/{data.pk}/dataset.zip"), tmp_path, f"study-{data.pk}-dataset"
    )
    card = (folder / "README.md").read_text()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert card.startswith("---\n") and "config_name: ratings" in card and "## Known limitations" in card
    assert "## Agreement" in card and "Physicians" in card and "licence" in card
    counts = {f["path"]: f["row_count"] for f in manifest["files"]}
    ratings = _load(folder, tmp_path, "ratings")["train"]
    items = _load(folder, tmp_path, "items")["train"]
    assert ratings.num_rows == counts["ratings.jsonl"] == 4 * 2 * 8 + 4  # 8 questions, one comment each
    assert items.num_rows == counts["items.jsonl"] == 4
    assert set(ratings.unique("study_id")) == {data.pk}
    assert "Response" not in "".join(items["answer_a"])  # texts, not labels


def test_the_corpus_dataset_folder_loads_with_its_splits(api_as, curator, data, tmp_path):
    folder = _unzip(api_as(curator).get("/api/v1/exports/corpus/dataset.zip"), tmp_path, "corpus-dataset")
    dataset = _load(folder, tmp_path)
    assert {name: split.num_rows for name, split in dataset.items()} == {"train": 2, "dev": 1, "test": 1}
    card = (folder / "README.md").read_text()
    assert "license: cc-by-4.0" in card and "**Test source**" in card
