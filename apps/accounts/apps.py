from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed_rater_groups(sender, using="default", **kwargs):
    from apps.accounts.seed import rater_groups_seed

    rater_groups_seed(using=using)


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts and raters"

    def ready(self):
        # After every `migrate` (and every test-database flush) the default groups exist, unless an admin
        # already has groups of their own.
        post_migrate.connect(_seed_rater_groups, sender=self, dispatch_uid="equitext-rater-groups")
