from django.urls import path

from apps.core import views

app_name = "core"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/recount/", views.recount_start, name="recount_start"),
    path("audit/", views.audit_list, name="audit_list"),
]
