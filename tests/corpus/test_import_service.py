"""Importing files: every preset's happy path, and malformed files that write nothing but say which row."""

import io
import json

import pytest

from apps.corpus import import_services
from apps.corpus.exceptions import ImportProblems
from apps.corpus.models import Document, ImportBatch, Segment, SegmentRevision, Source
from apps.metrics.readability import readability_scores

pytestmark = pytest.mark.django_db


class Upload(io.BytesIO):
    """What a view hands over: a binary file with a size."""

    @property
    def size(self):
        return len(self.getvalue())


def run_import(user, data: bytes, file_name: str, preset: str, skip_invalid=False, **options):
    """Check and write inline, whatever the size (large uploads take the same path inside a job)."""
    opts = import_services.import_options(file_name=file_name, preset=preset, **options)
    batch = import_services.import_batch_create(
        file_name=file_name, options=opts, skip_invalid=skip_invalid, user=user
    )
    return import_services.import_batch_run(batch_id=batch.pk, open_file=lambda: Upload(data))


def refused(user, data: bytes, file_name="bad.csv", preset="simpledc", **options) -> ImportBatch:
    with pytest.raises(ImportProblems) as caught:
        run_import(user, data, file_name, preset, **options)
    assert Segment.objects.count() == 0, "a refused file must write nothing"
    assert Document.objects.count() == 0
    assert Source.objects.count() == 0
    return caught.value.batch


SIMPLEDC = (
    "\ufefforiginal,simplified,document,topic,url,split,source\r\n"
    '"Colorectal cancer is a disease in which cells in the colon or rectum grow out of control.\r\n'
    'It is the third most common cancer.","Colon cancer happens when cells in the colon grow too fast.",'
    "Colorectal cancer basics,colorectal,https://www.cdc.gov/colorectal-cancer/,train,CDC\r\n"
    '"Screening can find precancerous polyps so that they can be removed.","Tests can find growths early.",'
    "Colorectal cancer basics,colorectal,,val,CDC\r\n"
    '"Hepatocellular carcinoma is the most common type of primary liver cancer.",,'
    "Liver cancer,liver,,unsup,CDC\r\n"
)


def test_simpledc_csv_with_bom_crlf_and_quoted_newlines(curator):
    batch = run_import(curator, SIMPLEDC.encode("utf-8"), "train.csv", "simpledc")

    assert batch.state == ImportBatch.State.DONE
    assert (batch.rows_total, batch.rows_imported, batch.documents_created) == (3, 3, 2)
    document = Document.objects.get(title="Colorectal cancer basics")
    assert document.source.name == "CDC"
    assert (document.topic, document.url) == ("colorectal", "https://www.cdc.gov/colorectal-cancer/")
    first, second = document.segments.order_by("position")
    assert first.original.endswith("grow out of control.\r\nIt is the third most common cancer.")
    assert (first.position, first.split, second.split) == (1, "train", "dev")
    assert first.simplified_grade == readability_scores(first.simplified)["flesch_kincaid_grade"]
    unlabelled = Segment.objects.get(document__title="Liver cancer")
    assert (unlabelled.split, unlabelled.simplified, unlabelled.simplified_grade) == ("unlabelled", "", None)
    assert SegmentRevision.objects.filter(origin="import", version=1).count() == 3


def test_tsv_with_the_split_chosen_for_the_whole_file(curator):
    data = "original\tsimplified\nThe esophagus is a muscular tube.\tThe esophagus is the food pipe.\n"
    batch = run_import(
        curator, data.encode(), "dev.tsv", "simpledc", default_split="dev", default_source="NCI"
    )
    assert batch.rows_imported == 1
    segment = Segment.objects.get()
    assert (segment.split, segment.document.title, segment.document.source.name) == ("dev", "dev", "NCI")


def test_jsonl(curator):
    lines = [
        {
            "original": "Pancreatic cancer often has no early symptoms.",
            "simplified": "It is hard to notice early.",
            "title": "Pancreatic cancer",
            "split": "test",
        },
        {
            "original": "Jaundice is yellowing of the skin.",
            "simplified": "Your skin may turn yellow.",
            "title": "Pancreatic cancer",
            "split": "test",
        },
    ]
    data = "\n".join(json.dumps(line) for line in lines) + "\n\n"
    batch = run_import(curator, data.encode(), "pancreas.jsonl", "simpledc")
    assert batch.rows_imported == 2
    assert list(Segment.objects.values_list("position", "split")) == [(1, "test"), (2, "test")]


def test_med_easi_keeps_the_edit_annotation_as_structured_data(curator):
    data = (
        "Expert,Simple,Annotation,sim,FKGL\n"
        '"Patients with myocardial infarction require urgent reperfusion.",'
        '"People having a heart attack need fast treatment to restore blood flow.",'
        '"Patients with <rep>myocardial infarction<by>a heart attack</rep> require <elab>urgent reperfusion'
        '<by>fast treatment to restore blood flow</elab>.<del> </del>",0.81,9.1\n'
    )
    batch = run_import(curator, data.encode(), "medeasi_train.csv", "medeasi", default_split="train")
    assert batch.rows_imported == 1
    segment = Segment.objects.get()
    assert segment.original.startswith("Patients with myocardial")
    assert segment.simplified.startswith("People having a heart attack")
    edits = segment.annotation["edits"]
    assert [(e["type"], e["text"], e.get("by")) for e in edits] == [
        ("replacement", "myocardial infarction", "a heart attack"),
        ("elaboration", "urgent reperfusion", "fast treatment to restore blood flow"),
        ("deletion", "", None),
    ]
    assert segment.annotation["columns"] == {"sim": "0.81", "FKGL": "9.1"}
    assert segment.document.title == "medeasi_train"


def test_column_mapping_for_other_shapes(curator):
    data = (
        "Quelle;Ziel\n".replace(";", ",")
        + '"Radiation therapy uses high-energy rays.","Radiation uses strong rays."\n'
    )
    batch = run_import(
        curator,
        data.encode(),
        "other.csv",
        "mapping",
        mapping={"original": "Quelle", "simplified": "Ziel"},
        default_split="train",
    )
    assert batch.rows_imported == 1
    assert Segment.objects.get().simplified == "Radiation uses strong rays."


def test_a_bad_row_in_the_middle_refuses_the_file_and_names_the_row(curator):
    data = (
        "original,simplified,split\n"
        "Surgery removes the tumor.,An operation takes out the lump.,train\n"
        "Chemotherapy uses drugs.,Chemo is medicine.,holdout\n"
        ",Missing original.,train\n"
        "Radiation uses rays.,,test\n"
        "Biopsy removes tissue.,A doctor takes a small piece.,test\n"
    )
    batch = refused(curator, data.encode())
    assert batch.state == ImportBatch.State.REJECTED
    problems = {(p["row"], p["column"]): p["problem"] for p in batch.report}
    assert "unknown split 'holdout'" in problems[(3, "split")]
    assert "every row needs the original text" in problems[(4, "original")]
    assert "needs its simplified text" in problems[(5, "simplified")]
    assert {p["row"] for p in batch.report} == {3, 4, 5}
    assert "3 of 5 row(s) have problems" in import_services.import_summary(batch)


def test_wrong_encoding_names_the_rows(curator):
    data = "original,simplified\nLe cancer du côlon.,Le côlon.\nPlain ASCII row.,Fine.\n".encode("latin-1")
    batch = refused(curator, data)
    assert [(p["row"], p["line"]) for p in batch.report] == [(2, 2)]
    assert "not UTF-8" in batch.report[0]["problem"]


def test_missing_column(curator):
    batch = refused(curator, b"text_a,text_b\nx,y\n", preset="medeasi")
    assert "Missing column 'expert'" in batch.report[0]["problem"]
    assert "'text_a', 'text_b'" in batch.report[0]["problem"]


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n"])
def test_empty_file(curator, data):
    batch = refused(curator, data)
    assert "empty" in batch.report[0]["problem"]


def test_header_without_rows(curator):
    batch = refused(curator, b"original,simplified\r\n")
    assert "no data rows" in batch.report[0]["problem"]


def test_a_10_mb_field_is_reported_with_its_row(curator):
    big = "word " * (2 * 1024 * 1024)  # 10 MiB
    data = f'original,simplified\nShort.,Short.\n"{big}",Fine.\n'.encode()
    batch = refused(curator, data)
    [problem] = batch.report
    assert (problem["row"], problem["column"]) == (3, "original")
    assert "10,485,759 characters; the limit is 20,000" in problem["problem"]  # trailing space trimmed


def test_broken_quoting_names_the_row(curator):
    data = b'original,simplified\n"Fine.","Fine."\n"Broken "quote" here,x\n'
    batch = refused(curator, data)
    assert "Row 3 (line 3)" in batch.report[0]["problem"]


def test_duplicates_in_the_file_and_in_the_corpus(curator):
    data = b"original,simplified,title\nA cell.,A cell.,Doc\nAnother.,Other.,Doc\nA cell.,Same again.,Doc\n"
    batch = refused(curator, data)
    assert [(p["row"], "duplicate of row 2" in p["problem"]) for p in batch.report] == [(4, True)]

    run_import(curator, b"original,simplified,title\nA cell.,A cell.,Doc\n", "first.csv", "simpledc")
    with pytest.raises(ImportProblems) as caught:
        run_import(
            curator,
            b"original,simplified,title\nNew one.,New.,Doc\nA cell.,Again.,Doc\n",
            "x.csv",
            "simpledc",
        )
    assert [p["row"] for p in caught.value.batch.report] == [3]
    assert "already in the corpus" in caught.value.batch.report[0]["problem"]
    assert Segment.objects.count() == 1


def test_skip_invalid_rows_imports_the_rest_and_records_what_was_skipped(curator):
    data = b"original,simplified,split\nGood one.,Fine.,train\nBad split.,x,nope\nGood two.,Fine too.,dev\n"
    batch = run_import(curator, data, "mixed.csv", "simpledc", skip_invalid=True)
    assert batch.state == ImportBatch.State.DONE
    assert (batch.rows_imported, batch.rows_skipped) == (2, 1)
    assert [p["row"] for p in batch.report] == [3]
    assert list(Segment.objects.order_by("position").values_list("original", "position")) == [
        ("Good one.", 1),
        ("Good two.", 2),
    ]
    assert "skipped 1 invalid row" in import_services.import_summary(batch)


def test_a_second_file_appends_to_an_existing_document(curator):
    run_import(curator, b"original,simplified,title\nOne.,1.,Doc\n", "a.csv", "simpledc")
    batch = run_import(curator, b"original,simplified,title\nTwo.,2.,Doc\n", "b.csv", "simpledc")
    assert batch.documents_created == 0
    assert list(Segment.objects.order_by("position").values_list("original", "position")) == [
        ("One.", 1),
        ("Two.", 2),
    ]


def test_the_preview_of_a_json_lines_file_names_each_key_and_what_becomes_of_it():
    lines = [
        {"complex": "The colon is part of the gut.", "simple": "The colon is in your belly.", "id": 1},
        {"complex": "Polyps can be removed.", "simple": "Growths can be taken out.", "id": 2, "note": "x"},
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    spec = import_services._spec_from(
        import_services.import_options(file_name="pairs.jsonl", preset="simpledc")
    )
    preview = import_services.import_preview_read(Upload(data), spec)
    assert preview["columns"] == [
        {"column": "complex", "field": "original", "use": "field"},
        {"column": "simple", "field": "simplified", "use": "field"},
        {"column": "id", "field": "", "use": "ignored"},
        {"column": "note", "field": "", "use": "ignored"},
    ]
    assert preview["defaults"] == {"document": "pairs", "source": "Imported", "split": "unlabelled"}
    assert [row["values"]["original"] for row in preview["rows"]] == [line["complex"] for line in lines]
    assert not Segment.objects.exists()
