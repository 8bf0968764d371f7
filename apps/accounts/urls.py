from django.urls import path

from apps.accounts import views

app_name = "accounts"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("raters/", views.rater_list, name="rater_list"),
    path("raters/export.csv", views.rater_csv, name="rater_csv"),
    path("raters/<int:pk>/deactivate/", views.rater_deactivate, name="rater_deactivate"),
    path("raters/<int:pk>/reactivate/", views.rater_reactivate, name="rater_reactivate"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/import/", views.invitation_import, name="invitation_import"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("signup/<str:token>/", views.signup, name="signup"),
]
