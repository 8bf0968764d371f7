from django import forms
from django.contrib.auth import forms as auth_forms

from apps.accounts import services
from apps.accounts.models import RaterGroup
from apps.core.errors import ServiceErrorsFormMixin


class InvitationForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(max_length=150)
    email = forms.EmailField(required=False, help_text="Optional: the link is emailed where given.")
    group = forms.ModelChoiceField(queryset=RaterGroup.objects.order_by("name"), label="Rater group")
    days = forms.IntegerField(initial=7, min_value=1, max_value=90, label="Valid for (days)")


class InvitationImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Columns: name, email, group (slug or name).")
    days = forms.IntegerField(initial=7, min_value=1, max_value=90, label="Valid for (days)")


class SignupForm(ServiceErrorsFormMixin, forms.Form):
    username = forms.CharField(max_length=150, help_text="Letters, digits and @ . + - _ only.")
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, sending at most one link per account every few minutes (the address owner is
    not flooded by someone who keeps asking); each link sent is audited."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if services.password_reset_allowed(user=user))

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        super().send_mail(subject_template_name, email_template_name, context, from_email, to_email, **kwargs)
        services.password_reset_sent(user=context["user"])
