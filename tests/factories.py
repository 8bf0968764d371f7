import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from apps.accounts.models import RaterGroup, RaterProfile
from apps.core.roles import Role

PASSWORD = "correct horse battery staple"


class RaterGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RaterGroup
        django_get_or_create = ("slug",)

    slug = "physician"
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=Role(extracted).value))
        self.save()


class RaterProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RaterProfile

    user = factory.SubFactory(UserFactory, role=Role.RATER)
    group = factory.SubFactory(RaterGroupFactory)


def make_rater(username: str, group_slug: str):
    return RaterProfileFactory(user__username=username, group=RaterGroupFactory(slug=group_slug)).user
