"""The access matrix: every URL name and every OpenAPI operation with its policy (see policies.py).

A new endpoint without an entry here fails `test_access_matrix.py` with the line to add; an entry for
an endpoint that no longer exists fails too. Parameters name objects of the world (world.py).
"""

from tests.security.policies import (
    ADMIN_ONLY,
    ANY_USER,
    CURATOR_ONLY,
    CURATOR_OWN,
    CURATOR_VISIBLE,
    OPENAPI,
    OWNER_ONLY,
    POST_ONLY,
    PUBLIC,
    RATER_IN_STUDY,
    RATER_ONLY,
    RATER_OWN,
    STUDY_MEMBER,
    E,
    W,
)

C = CURATOR_ONLY

# --- pages (and other non-API URL names), keyed by "namespace:name" ---
PAGES = {
    # project
    "home": E(ANY_USER, ok=302, note="curators → dashboard, raters → queue"),
    "login": E(PUBLIC, ok=(200, 302), note="signed-in users are sent on to their start page"),
    "logout": E(PUBLIC, get=405, note="POST only; logging out is allowed to everyone"),
    "healthz": E(PUBLIC, ok=(200, 503), post=405, note="503 while no worker heartbeat (none in tests)"),
    "schema": E(PUBLIC, note="the OpenAPI document (no data)"),
    "api-docs": E(PUBLIC, note="Swagger UI page (no data)"),
    "password_change": E(ANY_USER, note="your own password; the current one is asked first"),
    "password_reset": E(PUBLIC, note="asks for an e-mail address; answers the same for any address"),
    "password_reset_done": E(PUBLIC),
    "password_reset_confirm": E(PUBLIC, uidb64="MQ", token="not-a-token", note="an invalid link says so"),
    # core
    "core:dashboard": E(C),
    "core:job_list": E(ANY_USER, note="a rater lists only the jobs they started"),
    "core:job_detail": E(CURATOR_VISIBLE, pk=W.job),
    "core:recount_start": POST_ONLY(C),
    "core:audit_list": E(ADMIN_ONLY, post=405, login_first=True, note="the audit log: admins only"),
    # accounts
    "accounts:queue": E(RATER_ONLY),
    "accounts:rater_list": E(C),
    "accounts:rater_csv": E(C),
    "accounts:rater_deactivate": POST_ONLY(C, pk=W.profile_a),
    "accounts:rater_reactivate": POST_ONLY(C, pk=W.profile_a),
    "accounts:invitation_list": E(C),
    "accounts:invitation_import": POST_ONLY(C),
    "accounts:invitation_revoke": POST_ONLY(C, pk=W.invitation),
    "accounts:signup": E(PUBLIC, token=W.invitation_token, note="anyone holding a valid one-time link"),
    # corpus
    "corpus:document_list": E(C),
    "corpus:segment_list": E(C),
    "corpus:document_detail": E(C, pk=W.document),
    "corpus:segment_readability": POST_ONLY(C, pk=W.segment),
    "corpus:segment_save": POST_ONLY(C, pk=W.segment),
    "corpus:segment_history": E(C, pk=W.segment),
    "corpus:segment_revert": POST_ONLY(C, pk=W.segment),
    "corpus:import": E(C),
    "corpus:import_detail": E(C, pk=W.import_batch),
    "corpus:import_confirm": POST_ONLY(C, pk=W.import_batch),
    "corpus:import_cancel": POST_ONLY(C, pk=W.import_batch),
    # equity
    "equity:set_list": E(C),
    "equity:set_detail": E(C, slug=W.qset.slug),
    "equity:generate_answers": POST_ONLY(C, slug=W.qset.slug),
    "equity:question_list": E(C),
    "equity:question_detail": E(C, pk=W.question),
    "equity:question_tags": POST_ONLY(C, pk=W.question),
    "equity:pair_detail": E(C, pk=W.pair),
    "equity:pair_attribute": POST_ONLY(C, pk=W.pair),
    "equity:import_questions": E(C),
    "equity:import_answers": E(C),
    # reviews: curators
    "reviews:study_list": E(C),
    "reviews:study_create": E(C),
    "reviews:study_detail": E(C, pk=W.study),
    "reviews:study_preassign": POST_ONLY(C, pk=W.study),
    "reviews:study_texts": E(C, pk=W.study, note="the description and what raters read"),
    "reviews:study_item_flags_csv": E(C, pk=W.study, post=405, note="a CSV download"),
    "reviews:study_results": E(C, pk=W.study, post=405),
    "reviews:study_agreement": E(C, pk=W.study, post=405),
    "reviews:study_table_csv": E(C, pk=W.study, key="completion_groups", post=405),
    "reviews:study_figure": E(C, pk=W.study, key="completion_groups", fmt="svg", post=405),
    "reviews:autorater_create": POST_ONLY(C, pk=W.study, ok=302, note="starts a model rater's job"),
    "reviews:autorater_detail": E(C, pk=W.study, autorater_pk=W.autorater, post=405),
    "reviews:study_quality": E(C, pk=W.study),
    "reviews:study_onboarding": POST_ONLY(C, pk=W.study),
    "reviews:flag_resolve": POST_ONLY(C, pk=W.study, flag_pk=W.flag),
    "reviews:study_items": E(C, pk=W.study),
    "reviews:item_quality": E(C, pk=W.study, item_pk=W.item),
    "reviews:study_adjudication": E(C, pk=W.study),
    "reviews:adjudication_item": E(C, pk=W.study, item_pk=W.item),
    "reviews:adjudication_list": E(C),
    "reviews:rubric_min_seconds": POST_ONLY(C, pk=W.rubric),
    "reviews:study_transition": POST_ONLY(C, pk=W.study, action="pause"),
    "reviews:rubric_list": E(C),
    "reviews:rubric_detail": E(C, pk=W.rubric),
    # reviews: raters
    "reviews:study_consent": E(RATER_IN_STUDY, pk=W.study),
    "reviews:rate_next": POST_ONLY(RATER_IN_STUDY, study_pk=W.study),
    "reviews:rate": E(RATER_OWN, pk=W.assignment_a),
    "reviews:rate_submit": POST_ONLY(RATER_OWN, pk=W.assignment_a),
    "reviews:rate_skip": POST_ONLY(RATER_OWN, pk=W.assignment_a),
    "reviews:rate_draft": POST_ONLY(RATER_OWN, pk=W.assignment_a),
    # reviews: comprehension (curators: passages, studies, results; raters: their own item)
    "reviews:comprehension_home": E(C),
    "reviews:comprehension_passage_new": E(C),
    "reviews:comprehension_passage": E(C, pk=W.comprehension_passage),
    "reviews:comprehension_passage_delete": POST_ONLY(C, pk=W.comprehension_passage),
    "reviews:comprehension_study_new": E(C),
    "reviews:comprehension_results": E(C, pk=W.comprehension_study),
    "reviews:comprehension_rate": E(RATER_OWN, pk=W.comprehension_assignment),
    "reviews:comprehension_read": POST_ONLY(RATER_OWN, pk=W.comprehension_assignment),
    "reviews:comprehension_submit": POST_ONLY(RATER_OWN, pk=W.comprehension_assignment),
    "reviews:rate_mine": E(RATER_IN_STUDY, study_pk=W.study, note="the rater's own ratings in the study"),
    "reviews:rate_previous": E(
        RATER_IN_STUDY, ok=302, study_pk=W.study, note="to their latest submitted item"
    ),
    "reviews:rate_correct": POST_ONLY(RATER_OWN, pk=W.assignment_a_submitted),
    "reviews:rate_flag": POST_ONLY(RATER_OWN, pk=W.assignment_a),
    # scoring
    "scoring:run_list": E(C),
    "scoring:run_create": E(C),
    "scoring:run_selection_preview": E(C, post=405),
    "scoring:run_detail": E(C, pk=W.run),
    "scoring:finetune_create": E(C),
    "scoring:train_create": E(C, target="sft"),
    "scoring:evaluation_create": E(C),
    "scoring:generator_list": E(C),
    "scoring:reward_list": E(C),
    "scoring:reward_detail": E(C, pk=W.reward_model),
    "scoring:reward_activate": POST_ONLY(C, pk=W.reward_model),
    "scoring:candidate_accept": POST_ONLY(C, pk=W.candidate),
    "scoring:candidate_reject": POST_ONLY(C, pk=W.candidate),
    # elevate
    "elevate:assessment_list": E(C),
    "elevate:assessment_new": E(C),
    "elevate:assessment_detail": E(C, pk=W.assessment),
    "elevate:response_save": POST_ONLY(C, pk=W.assessment, item_pk=W.elevate_item),
    "elevate:assessment_submit": POST_ONLY(C, pk=W.assessment),
    "elevate:assessment_revise": POST_ONLY(C, pk=W.assessment),
    "elevate:assessment_prefill": POST_ONLY(C, pk=W.assessment),
    "elevate:assessment_summary": E(C, pk=W.assessment),
    "elevate:assessment_report": E(C, pk=W.assessment),
    "elevate:assessment_compare": E(C, pk=W.assessment, other_pk=W.assessment_other),
    "elevate:template_list": E(C),
    "elevate:template_detail": E(C, pk=W.template),
    "elevate:template_new_version": POST_ONLY(C, pk=W.template),
    # instruments
    "instruments:instrument_list": E(C),
    "instruments:instrument_detail": E(C, pk=W.instrument),
    "instruments:assessment_new": E(C),
    # a curator's assessment: raters (who may open their own study assessments here) get 404
    "instruments:assessment_detail": E(CURATOR_VISIBLE, pk=W.instrument_assessment),
    "instruments:answer_save": POST_ONLY(
        CURATOR_VISIBLE, pk=W.instrument_assessment, item_pk=W.instrument_item
    ),
    "instruments:answer_confirm": POST_ONLY(
        CURATOR_VISIBLE, pk=W.instrument_assessment, item_pk=W.instrument_item
    ),
    "instruments:assessment_submit": POST_ONLY(CURATOR_VISIBLE, pk=W.instrument_assessment),
    "instruments:assessment_prefill": POST_ONLY(CURATOR_VISIBLE, pk=W.instrument_assessment),
    "instruments:document_results": E(C, pk=W.document),
    "instruments:study_new": E(C),
    "instruments:study_results": E(C, pk=W.instrument_study),
    "instruments:study_item": E(
        RATER_OWN, ok=302, assignment_pk=W.instrument_assignment, note="opens the rater's assessment form"
    ),
    # API: the browsable root; everything else per operation below
    "api:api-root": E(ANY_USER),
    **{
        f"api:{name}": OPENAPI
        for name in """
        auth-token job-list job-detail token-list token-detail rater-list rater-detail rater-deactivate
        rater-reactivate webhook-list webhook-detail webhook-deliveries audit-list audit-detail readability
        metrics
        candidates-export-jsonl candidates-export-csv preferences-export-jsonl
        preferences-export-csv run-list run-detail run-references candidate-list candidate-detail
        candidate-accept candidate-reject reward-model-list reward-model-detail reward-model-activate
        reward-model-deactivate
        generator-version-list generator-version-detail evaluation-outputs-export-jsonl
        evaluation-outputs-export-csv
        source-list source-detail document-list document-detail segment-list segment-detail
        segment-revisions corpus-import corpus-export-jsonl corpus-export-csv question-set-list
        question-set-detail question-set-generate-answers question-list question-detail
        counterfactual-pair-list counterfactual-pair-detail answer-list answer-detail equity-import
        rubric-list rubric-detail study-list study-detail study-agreement study-close study-consent
        study-flags study-item-role study-items study-launch study-next study-onboarding study-pause
        study-preassign study-item-flags study-quality study-results study-autoraters study-autorater-detail
        study-dataset corpus-dataset assignment-list assignment-detail assignment-correct assignment-flag
        assignment-draft assignment-skip assignment-submit rating-list rating-detail rating-correct
        flag-list flag-detail flag-resolve adjudication-list adjudication-queue adjudication-detail
        invitation-list invitation-import-csv invitation-detail invitation-revoke ratings-export-jsonl
        ratings-export-csv elevate-template-list elevate-template-detail elevate-assessment-list
        elevate-assessment-detail elevate-assessment-prefill elevate-assessment-responses
        elevate-assessment-revise elevate-assessment-submit export-assessments-jsonl
        export-assessments-csv instrument-list instrument-detail instrument-assessment-list
        instrument-assessment-detail instrument-assessment-answers instrument-assessment-confirm
        instrument-assessment-prefill instrument-assessment-submit instrument-document-results
        export-instrument-answers-jsonl export-instrument-answers-csv export-instrument-scores-jsonl
        export-instrument-scores-csv comprehension-passage-list comprehension-passage-detail
        comprehension-passage-questions comprehension-study-create comprehension-results
        comprehension-assignment comprehension-read instrument-study-assessment-list
        instrument-study-assessment-detail instrument-study-assessment-answers
        instrument-study-assessment-confirm instrument-study-assessment-submit
        """.split()
    },
}

# --- OpenAPI operations, keyed by (method, path) as the schema names them ---
V = "/api/v1"
STUDY = {"id": W.study}
API = {
    # accounts and core
    ("POST", f"{V}/auth/token/"): E(PUBLIC, note="username and password; an empty body is a 400"),
    ("GET", f"{V}/jobs/"): E(ANY_USER, note="the user's own jobs (curators: all)"),
    ("GET", f"{V}/jobs/{{id}}/"): E(CURATOR_VISIBLE, id=W.job),
    ("GET", f"{V}/tokens/"): E(ANY_USER, note="the user's own tokens"),
    ("POST", f"{V}/tokens/"): E(ANY_USER, note="a token for oneself"),
    ("GET", f"{V}/tokens/{{id}}/"): E(OWNER_ONLY, id=W.token_a),
    ("DELETE", f"{V}/tokens/{{id}}/"): E(OWNER_ONLY, id=W.token_a),
    ("GET", f"{V}/raters/"): E(C),
    ("GET", f"{V}/raters/{{id}}/"): E(C, id=W.profile_a),
    ("POST", f"{V}/raters/{{id}}/deactivate/"): E(C, id=W.profile_a),
    ("POST", f"{V}/raters/{{id}}/reactivate/"): E(C, id=W.profile_a),
    ("GET", f"{V}/audit/"): E(ADMIN_ONLY, note="the audit log: admins only"),
    ("GET", f"{V}/audit/{{id}}/"): E(ADMIN_ONLY, id=W.audit_entry, note="even raters' own entries"),
    ("GET", f"{V}/webhooks/"): E(C, note="the curator's own webhooks"),
    ("POST", f"{V}/webhooks/"): E(C),
    ("GET", f"{V}/webhooks/{{id}}/"): E(CURATOR_OWN, id=W.webhook),
    ("PUT", f"{V}/webhooks/{{id}}/"): E(CURATOR_OWN, id=W.webhook),
    ("PATCH", f"{V}/webhooks/{{id}}/"): E(CURATOR_OWN, id=W.webhook),
    ("DELETE", f"{V}/webhooks/{{id}}/"): E(CURATOR_OWN, id=W.webhook),
    ("GET", f"{V}/webhooks/{{id}}/deliveries/"): E(CURATOR_OWN, id=W.webhook),
    ("GET", f"{V}/invitations/"): E(C),
    ("POST", f"{V}/invitations/"): E(C),
    ("GET", f"{V}/invitations/{{id}}/"): E(C, id=W.invitation),
    ("POST", f"{V}/invitations/{{id}}/revoke/"): E(C, id=W.invitation),
    ("POST", f"{V}/invitations/import/"): E(C),
    # scoring
    ("POST", f"{V}/readability/"): E(ANY_USER, note="metrics of a posted text (raters' tools use it)"),
    ("POST", f"{V}/metrics/"): E(C, note="SARI/BLEU/readability of posted simplifications; stores nothing"),
    ("GET", f"{V}/runs/"): E(C),
    ("POST", f"{V}/runs/"): E(C),
    ("GET", f"{V}/runs/{{id}}/"): E(C, id=W.run),
    ("GET", f"{V}/runs/{{id}}/references/"): E(C, id=W.run),
    ("GET", f"{V}/candidates/"): E(C),
    ("GET", f"{V}/candidates/{{id}}/"): E(C, id=W.candidate),
    ("POST", f"{V}/candidates/{{id}}/accept/"): E(C, id=W.candidate),
    ("POST", f"{V}/candidates/{{id}}/reject/"): E(C, id=W.candidate),
    ("GET", f"{V}/reward-models/"): E(C),
    ("GET", f"{V}/reward-models/{{id}}/"): E(C, id=W.reward_model),
    ("POST", f"{V}/reward-models/{{id}}/activate/"): E(C, id=W.reward_model),
    ("POST", f"{V}/reward-models/{{id}}/deactivate/"): E(C, id=W.reward_model),
    ("GET", f"{V}/generator-versions/"): E(C),
    ("GET", f"{V}/generator-versions/{{id}}/"): E(C, id=W.generator_version),
    ("GET", f"{V}/exports/evaluation-outputs.jsonl"): E(C, query={"run": W.evaluation_run}),
    ("GET", f"{V}/exports/evaluation-outputs.csv"): E(C, query={"run": W.evaluation_run}),
    # corpus
    ("GET", f"{V}/sources/"): E(C),
    ("POST", f"{V}/sources/"): E(C),
    ("GET", f"{V}/sources/{{id}}/"): E(C, id=W.source),
    ("PUT", f"{V}/sources/{{id}}/"): E(C, id=W.source),
    ("PATCH", f"{V}/sources/{{id}}/"): E(C, id=W.source),
    ("DELETE", f"{V}/sources/{{id}}/"): E(C, id=W.source, note="409 while the source has documents"),
    ("GET", f"{V}/documents/"): E(C),
    ("POST", f"{V}/documents/"): E(C),
    ("GET", f"{V}/documents/{{id}}/"): E(C, id=W.document),
    ("PUT", f"{V}/documents/{{id}}/"): E(C, id=W.document),
    ("PATCH", f"{V}/documents/{{id}}/"): E(C, id=W.document),
    ("DELETE", f"{V}/documents/{{id}}/"): E(
        C, id=W.document, note="holding segments: 409 unless ?confirm=true"
    ),
    ("GET", f"{V}/segments/"): E(C),
    ("POST", f"{V}/segments/"): E(C),
    ("GET", f"{V}/segments/{{id}}/"): E(C, id=W.segment),
    ("PATCH", f"{V}/segments/{{id}}/"): E(C, id=W.segment),
    ("GET", f"{V}/segments/{{id}}/revisions/"): E(C, id=W.segment),
    ("POST", f"{V}/corpus/import/"): E(C),
    # equity
    ("GET", f"{V}/question-sets/"): E(C),
    ("GET", f"{V}/question-sets/{{id}}/"): E(C, id=W.qset),
    ("PUT", f"{V}/question-sets/{{id}}/"): E(C, id=W.qset),
    ("PATCH", f"{V}/question-sets/{{id}}/"): E(C, id=W.qset),
    ("POST", f"{V}/question-sets/{{id}}/generate-answers/"): E(C, id=W.qset),
    ("GET", f"{V}/questions/"): E(C),
    ("GET", f"{V}/questions/{{id}}/"): E(C, id=W.question),
    ("PUT", f"{V}/questions/{{id}}/"): E(C, id=W.question),
    ("PATCH", f"{V}/questions/{{id}}/"): E(C, id=W.question),
    ("GET", f"{V}/counterfactual-pairs/"): E(C),
    ("GET", f"{V}/counterfactual-pairs/{{id}}/"): E(C, id=W.pair),
    ("PUT", f"{V}/counterfactual-pairs/{{id}}/"): E(C, id=W.pair),
    ("PATCH", f"{V}/counterfactual-pairs/{{id}}/"): E(C, id=W.pair),
    ("GET", f"{V}/answers/"): E(C),
    ("GET", f"{V}/answers/{{id}}/"): E(C, id=W.answer),
    ("POST", f"{V}/equity/import/"): E(C),
    # reviews: rubrics, studies
    ("GET", f"{V}/rubrics/"): E(C),
    ("POST", f"{V}/rubrics/"): E(C),
    ("GET", f"{V}/rubrics/{{id}}/"): E(C, id=W.rubric),
    ("PUT", f"{V}/rubrics/{{id}}/"): E(C, id=W.rubric),
    ("PATCH", f"{V}/rubrics/{{id}}/"): E(C, id=W.rubric),
    ("GET", f"{V}/studies/"): E(ANY_USER, note="raters: the studies they take part in, rater fields only"),
    ("POST", f"{V}/studies/"): E(C),
    ("GET", f"{V}/studies/{{id}}/"): E(STUDY_MEMBER, **STUDY),
    ("GET", f"{V}/studies/{{id}}/agreement/"): E(C, **STUDY),
    ("GET", f"{V}/studies/{{id}}/results/"): E(C, **STUDY),
    ("GET", f"{V}/studies/{{id}}/autoraters/"): E(C, **STUDY),
    ("GET", f"{V}/studies/{{id}}/dataset.zip"): E(C, **STUDY, note="the study's dataset folder (zip)"),
    ("POST", f"{V}/studies/{{id}}/autoraters/"): E(C, ok=202, **STUDY, note="queues a model rater's job"),
    ("GET", f"{V}/studies/{{id}}/autoraters/{{autorater_id}}/"): E(C, autorater_id=W.autorater, **STUDY),
    ("GET", f"{V}/studies/{{id}}/flags/"): E(C, **STUDY),
    ("GET", f"{V}/studies/{{id}}/items/"): E(C, **STUDY),
    ("PUT", f"{V}/studies/{{id}}/items/{{item_id}}/role/"): E(C, item_id=W.item, **STUDY),
    ("GET", f"{V}/studies/{{id}}/quality/"): E(C, **STUDY),
    ("PATCH", f"{V}/studies/{{id}}/quality/"): E(C, **STUDY),
    ("POST", f"{V}/studies/{{id}}/launch/"): E(C, **STUDY),
    ("POST", f"{V}/studies/{{id}}/pause/"): E(C, **STUDY),
    ("POST", f"{V}/studies/{{id}}/close/"): E(C, **STUDY),
    ("POST", f"{V}/studies/{{id}}/preassign/"): E(C, **STUDY),
    ("GET", f"{V}/studies/{{id}}/item-flags/"): E(C, **STUDY),
    ("GET", f"{V}/studies/{{id}}/onboarding/"): E(STUDY_MEMBER, **STUDY),
    ("POST", f"{V}/studies/{{id}}/onboarding/"): E(C, **STUDY, note="publishing consent: curators"),
    ("POST", f"{V}/studies/{{id}}/consent/"): E(RATER_ONLY, **STUDY),
    ("POST", f"{V}/studies/{{id}}/next/"): E(RATER_IN_STUDY, **STUDY),
    # reviews: assignments and ratings
    ("GET", f"{V}/assignments/"): E(ANY_USER, note="the user's own assignments only"),
    ("GET", f"{V}/assignments/{{id}}/"): E(OWNER_ONLY, id=W.assignment_a),
    ("PUT", f"{V}/assignments/{{id}}/draft/"): E(OWNER_ONLY, id=W.assignment_a),
    ("POST", f"{V}/assignments/{{id}}/skip/"): E(OWNER_ONLY, id=W.assignment_a),
    ("POST", f"{V}/assignments/{{id}}/submit/"): E(OWNER_ONLY, id=W.assignment_a),
    ("POST", f"{V}/assignments/{{id}}/correct/"): E(OWNER_ONLY, id=W.assignment_a_submitted),
    ("POST", f"{V}/assignments/{{id}}/flag/"): E(OWNER_ONLY, id=W.assignment_a),
    ("GET", f"{V}/ratings/"): E(C),
    ("GET", f"{V}/ratings/{{id}}/"): E(C, id=W.rating_a),
    ("POST", f"{V}/ratings/{{id}}/correct/"): E(C, id=W.rating_a),
    ("GET", f"{V}/flags/"): E(C),
    ("GET", f"{V}/flags/{{id}}/"): E(C, id=W.flag),
    ("POST", f"{V}/flags/{{id}}/resolve/"): E(C, id=W.flag),
    ("GET", f"{V}/adjudications/"): E(C),
    ("POST", f"{V}/adjudications/"): E(C),
    ("GET", f"{V}/adjudications/{{id}}/"): E(C, id=W.adjudication),
    ("GET", f"{V}/adjudications/queue/"): E(C, query={"study": W.study}),
    # elevate
    ("GET", f"{V}/elevate/templates/"): E(C),
    ("GET", f"{V}/elevate/templates/{{id}}/"): E(C, id=W.template),
    ("GET", f"{V}/elevate/assessments/"): E(C),
    ("POST", f"{V}/elevate/assessments/"): E(C),
    ("GET", f"{V}/elevate/assessments/{{id}}/"): E(C, id=W.assessment),
    ("PATCH", f"{V}/elevate/assessments/{{id}}/"): E(C, id=W.assessment),
    ("POST", f"{V}/elevate/assessments/{{id}}/prefill/"): E(C, id=W.assessment),
    ("GET", f"{V}/elevate/assessments/{{id}}/responses/"): E(C, id=W.assessment),
    ("POST", f"{V}/elevate/assessments/{{id}}/responses/"): E(C, id=W.assessment),
    ("POST", f"{V}/elevate/assessments/{{id}}/revise/"): E(C, id=W.assessment),
    ("POST", f"{V}/elevate/assessments/{{id}}/submit/"): E(C, id=W.assessment),
    # reviews: comprehension
    ("GET", f"{V}/comprehension/passages/"): E(C),
    ("POST", f"{V}/comprehension/passages/"): E(C),
    ("GET", f"{V}/comprehension/passages/{{id}}/"): E(C, id=W.comprehension_passage),
    ("DELETE", f"{V}/comprehension/passages/{{id}}/"): E(
        C, id=W.comprehension_passage, note="a used passage: 400"
    ),
    ("PUT", f"{V}/comprehension/passages/{{id}}/questions/"): E(C, id=W.comprehension_passage),
    ("POST", f"{V}/comprehension/studies/"): E(C),
    ("GET", f"{V}/comprehension/studies/{{id}}/results/"): E(C, id=W.comprehension_study),
    ("GET", f"{V}/comprehension/assignments/{{id}}/"): E(RATER_OWN, id=W.comprehension_assignment),
    ("POST", f"{V}/comprehension/assignments/{{id}}/read/"): E(RATER_OWN, id=W.comprehension_assignment),
    # instruments (curators; only the assessor writes)
    ("GET", f"{V}/instruments/"): E(C),
    ("GET", f"{V}/instruments/{{id}}/"): E(C, id=W.instrument),
    ("GET", f"{V}/instruments/assessments/"): E(C),
    ("POST", f"{V}/instruments/assessments/"): E(C),
    ("GET", f"{V}/instruments/assessments/{{id}}/"): E(C, id=W.instrument_assessment),
    ("GET", f"{V}/instruments/assessments/{{id}}/answers/"): E(C, id=W.instrument_assessment),
    ("POST", f"{V}/instruments/assessments/{{id}}/answers/"): E(C, id=W.instrument_assessment),
    ("POST", f"{V}/instruments/assessments/{{id}}/confirm/"): E(C, id=W.instrument_assessment),
    ("POST", f"{V}/instruments/assessments/{{id}}/prefill/"): E(C, id=W.instrument_assessment),
    ("POST", f"{V}/instruments/assessments/{{id}}/submit/"): E(C, id=W.instrument_assessment),
    ("GET", f"{V}/instruments/documents/{{id}}/results/"): E(C, id=W.document),
    # instruments: raters' own study assessments (blinded)
    ("POST", f"{V}/instruments/study-assessments/"): E(RATER_ONLY, note="a missing assignment: 400"),
    ("GET", f"{V}/instruments/study-assessments/{{id}}/"): E(RATER_OWN, id=W.instrument_study_assessment),
    ("POST", f"{V}/instruments/study-assessments/{{id}}/answers/"): E(
        RATER_OWN, id=W.instrument_study_assessment
    ),
    ("POST", f"{V}/instruments/study-assessments/{{id}}/confirm/"): E(
        RATER_OWN, id=W.instrument_study_assessment
    ),
    ("POST", f"{V}/instruments/study-assessments/{{id}}/submit/"): E(
        RATER_OWN, id=W.instrument_study_assessment
    ),
    # exports (curators only)
    **{
        ("GET", f"{V}/exports/{name}"): E(C)
        for name in """
        corpus/dataset.zip
        assessments.csv assessments.jsonl candidates.csv candidates.jsonl corpus.csv corpus.jsonl
        preferences.csv preferences.jsonl ratings.csv ratings.jsonl instrument-answers.csv
        instrument-answers.jsonl instrument-scores.csv instrument-scores.jsonl""".split()
    },
}
