from django.urls import path

from apps.accounts import views

app_name = "accounts"
urlpatterns = [
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/import/", views.invitation_import, name="invitation_import"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("signup/<str:token>/", views.signup, name="signup"),
]
