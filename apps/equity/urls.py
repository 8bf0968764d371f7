"""HTML pages (urlpatterns, namespace "equity") and API routes (api_urlpatterns, under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.equity import api, views

app_name = "equity"
urlpatterns = [
    path("", views.set_list, name="set_list"),
    path("sets/<slug:slug>/", views.set_detail, name="set_detail"),
    path("sets/<slug:slug>/generate-answers/", views.generate_answers, name="generate_answers"),
    path("questions/", views.question_list, name="question_list"),
    path("questions/<int:pk>/", views.question_detail, name="question_detail"),
    path("questions/<int:pk>/tags/", views.question_tags, name="question_tags"),
    path("pairs/<int:pk>/", views.pair_detail, name="pair_detail"),
    path("pairs/<int:pk>/attribute/", views.pair_attribute, name="pair_attribute"),
    path("import/questions/", views.import_questions, name="import_questions"),
    path("import/answers/", views.import_answers, name="import_answers"),
]

router = SimpleRouter()
router.register("question-sets", api.QuestionSetViewSet, basename="question-set")
router.register("questions", api.QuestionViewSet, basename="question")
router.register("counterfactual-pairs", api.CounterfactualPairViewSet, basename="counterfactual-pair")
router.register("answers", api.AnswerViewSet, basename="answer")

api_urlpatterns = [
    *router.urls,
    path("equity/import/", api.EquityImportView.as_view(), name="equity-import"),
]
