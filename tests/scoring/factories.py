import factory

from apps.scoring.models import Candidate, ModelRun
from apps.scoring.services import run_parameters_clean


class ModelRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelRun

    model_name = "default generator"
    parameters = factory.LazyFunction(lambda: run_parameters_clean({"max_new_tokens": 8}))
    prompt_template = "plain-language"
    prompt_version = 1


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    run = factory.SubFactory(ModelRunFactory)
    index = 0
    text = "Never take more than 4 grams a day."
