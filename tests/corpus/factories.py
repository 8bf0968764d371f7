import factory

from apps.corpus.models import Document, Segment, SegmentRevision, Source, Split


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("name",)

    name = "National Cancer Institute"
    url = "https://www.cancer.gov/"


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    source = factory.SubFactory(SourceFactory)
    title = factory.Sequence(lambda n: f"Colon cancer treatment {n}")
    topic = "colorectal"


class SegmentFactory(factory.django.DjangoModelFactory):
    """A stored segment at version 1 with its first revision (as an import leaves it)."""

    class Meta:
        model = Segment
        skip_postgeneration_save = True

    document = factory.SubFactory(DocumentFactory)
    position = factory.Sequence(lambda n: n + 1)
    original = (
        "Adjuvant chemotherapy is administered following surgical resection to eradicate micrometastases."
    )
    simplified = "You may get chemo after surgery. It kills cancer cells that are too small to see."
    split = Split.TRAIN

    @factory.post_generation
    def first_revision(self, create, extracted, **kwargs):
        if create:
            SegmentRevision.objects.create(
                segment=self,
                version=self.version,
                original=self.original,
                simplified=self.simplified,
                split=self.split,
                status=self.status,
                origin=SegmentRevision.Origin.IMPORT,
            )
