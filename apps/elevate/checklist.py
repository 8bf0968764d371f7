"""The ELEVATE checklist as shipped with Equitext: "ELEVATE-GenAI" v1, the default for new assessments,
and its predecessor "ELEVATE-AI LLMs" v1, kept for the assessments made with it.

Ten domains from Fleurence et al. (ISPOR working group): arXiv 2501.12394 v1 (Dec 2024) as "ELEVATE-AI
LLMs", published as "ELEVATE-GenAI" in Value in Health 28(11):1611–1625 (2025). The reporting items were
written by the Equitext team from the domain descriptions, because the published item wording is not
reproduced here; README "ELEVATE-GenAI" says what could and could not be checked against the paper. It is
product data: curators change it by making a new template version.
"""

# The current name: new assessments use the newest version of this template (selectors.template_current).
ELEVATE_NAME = "ELEVATE-GenAI"
ELEVATE_GENAI_DESCRIPTION = (
    "Reporting guidelines for studies that use large language models: ELEVATE-GenAI (Fleurence RL, Dawoud "
    "D, Bian J, et al.; ISPOR Working Group on Generative AI. Value in Health 2025;28(11):1611–1625, "
    "doi:10.1016/j.jval.2025.06.018). Its ten domains as in the framework; the items were written by the "
    "Equitext team from the domain descriptions (the published checklist wording was not available)."
)
# The name of version 1, used by the assessments made before the framework was published.
ELEVATE_AI_LLMS_NAME = "ELEVATE-AI LLMs"
ELEVATE_DESCRIPTION = (
    "Reporting checklist for studies that use large language models, after the ISPOR ELEVATE-AI LLMs "
    "framework (Fleurence et al., arXiv 2501.12394; Value in Health 2025). Items written by the Equitext "
    "team from the ten domain descriptions."
)

# (domain name, description, [(code, wording, guidance), ...])
ELEVATE_DOMAINS = [
    (
        "Model characteristics",
        "Which model was used, where it comes from and how it was adapted.",
        [
            (
                "1.1",
                "Model name and exact version used.",
                "e.g. a dated API snapshot such as gpt-4-0613, or a repository and commit/revision.",
            ),
            ("1.2", "Developer or provider of the model and its release date.", ""),
            (
                "1.3",
                "How the model was accessed and under which licence or terms of use.",
                "Hosted API, local weights, open or proprietary licence.",
            ),
            ("1.4", "Architecture and size (model family, number of parameters, context window).", ""),
            (
                "1.5",
                "Training data, as far as known, including cut-off date and possible overlap with the "
                "evaluation data.",
                "",
            ),
            (
                "1.6",
                "Fine-tuning or other adaptation done by the authors (method, data, settings), or a "
                "statement that none was done.",
                "Includes reinforcement learning, LoRA adapters, domain adaptation.",
            ),
        ],
    ),
    (
        "Accuracy assessment",
        "Agreement of the model's outputs with reference answers.",
        [
            (
                "2.1",
                "The reference standard the outputs were compared with, and how it was established.",
                "Human experts, gold labels, published values; number and expertise of the people involved.",
            ),
            (
                "2.2",
                "Accuracy metrics with their definitions and a measure of uncertainty.",
                "Sensitivity, specificity, F1, agreement, SARI/BLEU…, with confidence intervals.",
            ),
            ("2.3", "Comparison with a baseline (human performance, an earlier method or other models).", ""),
            (
                "2.4",
                "The evaluation sample: size, how it was selected, and whether it was kept apart from "
                "prompt development.",
                "",
            ),
        ],
    ),
    (
        "Comprehensiveness assessment",
        "Completeness and coverage of the task.",
        [
            (
                "3.1",
                "The scope of the task the model was asked to perform, and which parts were evaluated.",
                "",
            ),
            (
                "3.2",
                "How the completeness of outputs was assessed (omissions, missing elements), with results.",
                "",
            ),
            ("3.3", "Coverage across relevant topics, document types or subgroups of the input.", ""),
        ],
    ),
    (
        "Factuality verification",
        "Grounding of the outputs and checks for hallucination.",
        [
            (
                "4.1",
                "The method used to verify factual statements in the outputs.",
                "Source grounding, citation checks, expert review.",
            ),
            ("4.2", "How often unsupported or invented content (hallucination) occurred, with examples.", ""),
            (
                "4.3",
                "Safeguards that prevent or correct factual errors.",
                "Retrieval, constrained output, automatic checks of numbers and negations, human review.",
            ),
        ],
    ),
    (
        "Reproducibility protocols",
        "Everything another team needs to obtain the same outputs.",
        [
            ("5.1", "Prompts reported verbatim (system and user prompts, templates, few-shot examples).", ""),
            ("5.2", "Generation parameters (temperature, top-p, maximum tokens, decoding strategy).", ""),
            ("5.3", "Random seeds, or a statement that outputs are not deterministic.", ""),
            ("5.4", "Software, library and model versions, and the dates the model was queried.", ""),
            ("5.5", "Repeated runs: how many, and how much the results varied between them.", ""),
            ("5.6", "Availability of code, prompts and outputs (repository or supplement).", ""),
        ],
    ),
    (
        "Robustness checks",
        "Sensitivity to prompt wording and to perturbations of the input.",
        [
            ("6.1", "Sensitivity of results to the wording or order of prompts.", ""),
            (
                "6.2",
                "Sensitivity to perturbed inputs (typos, formatting, irrelevant content, input order).",
                "",
            ),
            ("6.3", "Performance on unusual, out-of-distribution or edge-case inputs.", ""),
        ],
    ),
    (
        "Fairness and bias monitoring",
        "Whether the model performs or behaves differently across groups of people.",
        [
            (
                "7.1",
                "Performance differences across population groups (e.g. sex, race or ethnicity, age, "
                "language, socioeconomic status).",
                "",
            ),
            (
                "7.2",
                "Methods used to detect biased, stereotyping or non-inclusive outputs.",
                "Bias rubrics, counterfactual inputs that change one identity attribute, "
                "adversarial question sets.",
            ),
            ("7.3", "Who assessed bias (rater groups and their expertise) and their agreement.", ""),
            ("7.4", "Mitigation of the biases found, and the limitations that remain.", ""),
        ],
    ),
    (
        "Deployment context and efficiency",
        "The setting the model is used in and what it costs.",
        [
            ("8.1", "Intended setting and users of the application.", ""),
            ("8.2", "Computing resources used (hardware, run time).", ""),
            ("8.3", "Cost and time compared with the usual approach.", "API fees, compute, staff time."),
            ("8.4", "Human oversight in the workflow: who reviews outputs, and at which step.", ""),
        ],
    ),
    (
        "Calibration and uncertainty",
        "How confident the model is and whether that confidence can be trusted.",
        [
            (
                "9.1",
                "How the model's confidence or uncertainty was obtained.",
                "Token probabilities, stated confidence, agreement across repeated samples.",
            ),
            (
                "9.2",
                "Assessment of calibration (calibration curve, Brier score, expected calibration error).",
                "",
            ),
            ("9.3", "How uncertainty is shown to users or used to route cases to human review.", ""),
        ],
    ),
    (
        "Security and privacy measures",
        "Protection of the data sent to the model and of the application itself.",
        [
            (
                "10.1",
                "Handling of personal or sensitive data sent to the model (de-identification, data "
                "processing agreements).",
                "",
            ),
            (
                "10.2",
                "Where data are processed and stored, and for how long.",
                "Local, cloud provider, region.",
            ),
            (
                "10.3",
                "Protection against misuse and adversarial input (prompt injection, jailbreaks), where "
                "relevant.",
                "",
            ),
            ("10.4", "Ethics approval or governance review, where applicable.", ""),
        ],
    ),
]


def elevate_seed(template_model, domain_model, item_model) -> int:
    """Create each shipped template (ELEVATE-AI LLMs v1, then ELEVATE-GenAI v1 copied from it as its next
    version) unless a template of that name exists; returns rows created.

    Takes the model classes so that the data migration can pass its historical models.
    """
    created = 0
    if not template_model.objects.filter(name=ELEVATE_AI_LLMS_NAME).exists():
        created += _template_create(
            template_model,
            domain_model,
            item_model,
            name=ELEVATE_AI_LLMS_NAME,
            description=ELEVATE_DESCRIPTION,
        )
    if not template_model.objects.filter(name=ELEVATE_NAME).exists():
        previous = template_model.objects.filter(name=ELEVATE_AI_LLMS_NAME, version=1).first()
        created += _template_create(
            template_model,
            domain_model,
            item_model,
            name=ELEVATE_NAME,
            description=ELEVATE_GENAI_DESCRIPTION,
            previous=previous,
        )
    return created


def _template_create(template_model, domain_model, item_model, *, name, description, previous=None) -> int:
    template = template_model.objects.create(name=name, version=1, description=description, previous=previous)
    created = 1
    for order, (name, description, items) in enumerate(ELEVATE_DOMAINS, start=1):
        domain = domain_model.objects.create(
            template=template, order=order, name=name, description=description
        )
        item_model.objects.bulk_create(
            item_model(domain=domain, order=i, code=code, wording=wording, guidance=guidance)
            for i, (code, wording, guidance) in enumerate(items, start=1)
        )
        created += 1 + len(items)
    return created
