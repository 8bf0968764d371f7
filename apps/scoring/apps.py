from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "apps.scoring"
    label = "scoring"

    def ready(self):
        # Installs the offline CMU dictionary into textstat before any code in this process can call it
        # (textstat would otherwise try to download NLTK's copy). Cheap: the dictionary loads on first use.
        from apps.scoring import readability  # noqa: F401
