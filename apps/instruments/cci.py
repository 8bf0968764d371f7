"""The CDC Clear Communication Index, as data: 4 open introductory questions (not scored) and 20 scored
items in its areas; and the modified Index for short-form and oral materials.

A US government work (public domain). `apps/instruments/README.md` says where each text was checked and
what could not be (the modified Index's exact item selection); unverified parts say so in the data.
"""

# ruff: noqa: E501 (published item texts and guidance: long lines keep each sentence findable)

SOURCE = {
    "family": "CDC Clear Communication Index",
    "source_title": (
        "CDC Clear Communication Index: A Tool for Developing and Assessing CDC Public Communication "
        "Products — User Guide and Score Sheet"
    ),
    "source_publisher": "Centers for Disease Control and Prevention (CDC)",
    "source_url": "https://www.cdc.gov/ccindex/index.html",
    "source_date": "not verified (the Index appeared in 2013–2014; the score-sheet wording used here is "
    "the one that refers to Appendix B of the User Guide)",
    "source_version": "",
    "licence_note": "US government work (CDC): public domain in the United States.",
    "score_rule": (
        "Points (1 for each item that meets the criterion; for item 17, “No” scores 1) ÷ applicable items "
        "(answered other than N/A) × 100. Only answers a person gave or confirmed count."
    ),
}

YES_NO = [{"value": "yes", "label": "Yes", "points": 1}, {"value": "no", "label": "No", "points": 0}]
# Item 17 asks whether the audience has to calculate: "No" meets the criterion.
YES_NO_REVERSED = [{"value": "yes", "label": "Yes", "points": 0}, {"value": "no", "label": "No", "points": 1}]
TARGET = "A score of 90 or above is the Index's target; below 90, revise the items that scored 0."

SHEET = (
    "Text: the Index score sheet as transcribed in github.com/mmontesanonyc/interactive-CDC-CCI (index.html)"
)
TOOL_PAGE = "cdc.gov/ccindex/tool/page-{0}.html (CDC's own item page)"
AREAS_LIST = "area from the Index item list in the Ethiopian MOH COVID-19 risk-communication course (06_1334)"

INTRO = [
    (
        "I1",
        "Who is your primary audience?",
        "See the User Guide's appendix for a list of common public health audiences.",
    ),
    (
        "I2",
        "What do you know about the health literacy skills of your audience?",
        "List as many relevant characteristics about your audience as you can: their literacy and numeracy "
        "skills; words, numbers, and health concepts they find familiar; their prior experience with the "
        "topic; their ability to comprehend different information formats, such as graphs. If you don’t have "
        "any information at all, assume average to low health literacy skills.",
    ),
    (
        "I3",
        "What is your primary communication objective?",
        "A communication objective is what you want your audience to think, feel, or do after they receive "
        "the message or material.",
    ),
    (
        "I4",
        "What is the main message statement in the material?",
        "The main message statement is the one thing the audience must remember. The statement may be 1–3 "
        "short sentences. If you are reviewing an existing material with multiple messages, list all possible "
        "messages.",
    ),
]

NO_IF_1 = [{"when": {"item": "1", "value": "no"}, "then": "no"}]

# (area code, area name, part, [items]); items: code, text, guidance, na_label, options, rule, notes.
AREAS = [
    (
        "main-message",
        "Main message and call to action",
        "Part A: Core",
        [
            {
                "code": "1",
                "text": "Does the material contain one main message statement?",
                "guidance": (
                    "A main message is the one thing you want to communicate to a person or group that they "
                    "must remember. A topic, such as heart disease or seasonal flu, isn’t a main message "
                    "statement. If the material contains several messages and no main message, answer no. If "
                    "you answer no, score 0 for questions 2–4."
                ),
            },
            {
                "code": "2",
                "text": "Is the main message at the top, beginning, or front of the material?",
                "guidance": (
                    "The main message must be in the first paragraph or section. A section is a block of text "
                    "between headings. For a Web material, the first section must be fully visible without "
                    "scrolling."
                ),
                "constraints": NO_IF_1,
            },
            {
                "code": "3",
                "text": "Is the main message emphasized with visual cues?",
                "guidance": (
                    "If the main message is emphasized with font, color, shapes, lines, arrows or headings, "
                    "such as “What you need to know,” answer yes."
                ),
                "constraints": NO_IF_1,
                "display": True,
            },
            {
                "code": "4",
                "text": "Does the material contain at least one visual that conveys or supports the main message?",
                "guidance": (
                    "For example, count photographs, line drawings, graphs and infographics as visuals. If the "
                    "visual doesn’t have a caption or labels, answer no. If the visual has human figures who "
                    "aren’t performing the recommended behaviors, answer no."
                ),
                "constraints": NO_IF_1,
                "display": True,
            },
            {
                "code": "5",
                "text": "Does the material include one or more calls to action for the primary audience?",
                "guidance": (
                    "If the material includes a specific behavioral recommendation, a prompt to get more "
                    "information, a request to share information with someone else, or a broad call for "
                    "change, answer yes. If the call to action is for someone other than the primary audience, "
                    "answer no."
                ),
            },
        ],
    ),
    (
        "language",
        "Language",
        "Part A: Core",
        [
            {
                "code": "6",
                "text": "Do both the main message and the call to action use the active voice?",
                "guidance": (
                    "If only the main message or only the call to action uses the active voice, answer no. If "
                    "you answered no to #1 or #5, answer no."
                ),
                "constraints": [*NO_IF_1, {"when": {"item": "5", "value": "no"}, "then": "no"}],
            },
            {
                "code": "7",
                "text": "Does the material always use words the primary audience uses?",
                "guidance": (
                    "If all specialized or unfamiliar terms are explained or described (not just defined) the "
                    "first time they are used, answer yes. Acronyms and abbreviations must be spelled out and "
                    "explained if unfamiliar to the audience."
                ),
                "auto_rule": "reading_grade",
                "source": f"{SHEET}; {TOOL_PAGE.format(7)} (area Language)",
            },
        ],
    ),
    (
        "information-design",
        "Information design",
        "Part A: Core",
        [
            {
                "code": "8",
                "text": "Does the material use bulleted or numbered lists?",
                "guidance": (
                    "If the material contains a list with more than 7 items, and the list is not broken up into "
                    "sub-lists, answer no. If the list is for additional information or references only or at "
                    "the end of the material, answer no."
                ),
                "auto_rule": "lists",
                "display": True,
            },
            {
                "code": "9",
                "text": "Is the material organized in chunks with headings?",
                "guidance": (
                    "This item applies to prose text and lists. If the chunks contain more than one idea each, "
                    "answer no. If the headings don’t match the information chunks, answer no."
                ),
                "display": True,
            },
            {
                "code": "10",
                "text": (
                    "Is the most important information the primary audience needs summarized in the first "
                    "paragraph or section?"
                ),
                "guidance": (
                    "The most important information must include the main message. A section is a block of "
                    "text between headings. For a Web material, the first section must be fully visible "
                    "without scrolling."
                ),
            },
        ],
    ),
    (
        "state-of-science",
        "State of the science",
        "Part A: Core",
        [
            {
                "code": "11",
                "text": (
                    "Does the material explain what authoritative sources, such as subject matter experts and "
                    "agency spokespersons, know and don’t know about the topic?"
                ),
                "guidance": (
                    "If the material addresses both, answer yes. If the material addresses only one (what is "
                    "known or not known), answer no."
                ),
            },
        ],
    ),
    (
        "behavioral-recommendations",
        "Behavioral recommendations",
        "Part B: applies when the material includes one or more behavioral recommendations for the primary "
        "audience; otherwise items 12–14 are N/A.",
        [
            {
                "code": "12",
                "text": "Does the material include one or more behavioral recommendations for the primary audience?",
                "guidance": "If no, mark items 12–14 N/A and go on to Part C.",
                "na_label": "No behavioral recommendation for the primary audience",
                "verified": False,
                "note": (
                    "PARTLY UNVERIFIED: the transcription's note for this item is garbled (“CoIf no, STOP here "
                    "and don’t score Part B”); how CDC scores item 12 itself when the answer is no could not be "
                    "checked. Equitext offers N/A, as for the rest of Part B."
                ),
            },
            {
                "code": "13",
                "text": "Does the material explain why the behavioral recommendation(s) is important to the primary audience?",
                "guidance": (
                    "If you offer only numbers to explain the importance of the behavioral recommendation with "
                    "no other relevant information for the audience, answer no."
                ),
                "na_label": "No behavioral recommendation for the primary audience",
                "source": f"{SHEET}; {TOOL_PAGE.format(13)}",
            },
            {
                "code": "14",
                "text": (
                    "Does the behavioral recommendation(s) include specific directions about how to perform the "
                    "behavior?"
                ),
                "guidance": (
                    "This may include step-by-step directions or a simple description (for example: Look for "
                    "cereal with 100% daily value of folic acid). If the material includes information about "
                    "when and how to contact a medical provider or health official, answer yes. If the material "
                    "mentions when and how often to perform a behavior, answer yes."
                ),
                "na_label": "No behavioral recommendation for the primary audience",
            },
        ],
    ),
    (
        "numbers",
        "Numbers",
        "Part C: applies when the material includes one or more numbers related to the topic; otherwise items "
        "15–17 are N/A.",
        [
            {
                "code": "15",
                "text": "Does the material always present numbers the primary audience uses?",
                "guidance": (
                    "Many audiences find numbers distracting or confusing. Make sure the numbers in the material "
                    "are both familiar and necessary to support or explain the main message statement. Whole "
                    "numbers are used by most audiences."
                ),
                "na_label": "No numbers related to the topic",
                "auto_rule": "numbers_present",
            },
            {
                "code": "16",
                "text": "Does the material always explain what the numbers mean?",
                "guidance": (
                    "For example, “The amount of meat recommended as part of a healthy meal is 3 to 4 ounces – "
                    "it will look about the same size as a deck of cards.”"
                ),
                "na_label": "No numbers related to the topic",
                "auto_rule": "numbers_present",
            },
            {
                "code": "17",
                "text": "Does the audience have to conduct mathematical calculations?",
                "guidance": (
                    "Adding, subtracting, multiplying, and dividing involve calculations. Calculating a common "
                    "denominator for the purposes of comparison is a mathematical calculation. For this item, "
                    "Yes scores 0 and No scores 1."
                ),
                "na_label": "No numbers related to the topic",
                "options": YES_NO_REVERSED,
                "auto_rule": "no_calculations",
            },
        ],
    ),
    (
        "risk",
        "Risk",
        "Part D: applies when the material presents information, including numbers, about risk; otherwise items "
        "18–20 are N/A.",
        [
            {
                "code": "18",
                "text": "Does the material explain the nature of the risk?",
                "guidance": (
                    "If the material states the threat or harm and how and why people may be affected, answer "
                    "yes. If the material has only the threat or harm but no explanation, answer no."
                ),
                "na_label": "No information about risk",
            },
            {
                "code": "19",
                "text": "Does the material address both the risks and benefits of the recommended behaviors?",
                "guidance": (
                    "This includes actual risks and benefits and those perceived by your audience. If the "
                    "material addresses only risks or only benefits, answer no. If no behavioral recommendation "
                    "is presented, answer not applicable (NA)."
                ),
                "na_label": "No behavioral recommendation, or no information about risk",
            },
            {
                "code": "20",
                "text": (
                    "If the material uses numeric probability to describe risk, is the probability also "
                    "explained with words or a visual?"
                ),
                "guidance": (
                    "Examples of probability information in a risk message are numbers (such as 1 in 5 or 20%). "
                    "If the material only presents numeric risk, answer no. If the material does not include this "
                    "type of probability information, answer not applicable (NA)."
                ),
                "na_label": "No numeric probability",
                "auto_rule": "probability_present",
            },
        ],
    ),
]

MODIFIED_NOTE = (
    "UNVERIFIED item selection: the modified score sheet says that “the shorter length of social media "
    "messages and some oral messages eliminates a few Index items, and oral delivery eliminates the need for "
    "information display items”, but its item list could not be read. Equitext leaves out the four "
    "information-display items (3, 4, 8, 9) and keeps the other 16; compare with CDC's modified score sheet "
    "before relying on it."
)


def _items(items: list[dict], *, modified: bool) -> list[dict]:
    chosen = []
    for item in items:
        if modified and item.get("display"):
            continue
        source = item.get("source") or f"{SHEET}; {AREAS_LIST}."
        if item.get("note"):
            source = f"{source} {item['note']}"
        chosen.append(
            {
                "code": item["code"],
                "text": item["text"],
                "guidance": item["guidance"],
                "options": item.get("options", YES_NO),
                "na_label": item.get("na_label", ""),
                "constraints": item.get("constraints", []),
                "auto_rule": item.get("auto_rule", ""),
                "verified": item.get("verified", True) and not modified,
                "source_note": source + (f" {MODIFIED_NOTE}" if modified else ""),
            }
        )
    return chosen


def _definition(*, modified: bool) -> dict:
    intro = [
        {
            "code": code,
            "text": text,
            "guidance": guidance,
            "answer_kind": "text",
            "source_note": f"{SHEET}; cdc.gov/ccindex/widget.html.",
        }
        for code, text, guidance in INTRO
    ]
    return {
        **SOURCE,
        "key": "cci-modified" if modified else "cci",
        "name": "CDC Clear Communication Index (modified)" if modified else "CDC Clear Communication Index",
        "variant": "Modified: short-form and oral materials" if modified else "Full Index",
        "description": (
            "For short-form and oral communication materials (social media posts, scripts for podcasts and "
            "call-centre responses)."
            if modified
            else "For public communication materials: print and web materials, scripts, infographics."
        ),
        "verification_note": MODIFIED_NOTE
        if modified
        else "Item 12's scoring when there is no behavioral recommendation could not be checked (marked "
        "unverified); the publication date of the score sheet could not be confirmed.",
        "groups": [
            {
                "code": "intro",
                "name": "Before you begin",
                "kind": "intro",
                "description": (
                    "Identify your primary audience, their health literacy skills, your primary communication "
                    "objective, and main message. You must know these 4 pieces of information to score the "
                    "material accurately. These questions are not scored."
                ),
                "items": intro,
            },
            {
                "code": "cci",
                "name": "Clear Communication Index score",
                "kind": "scale",
                "threshold": 90.0,
                "reading_aid": TARGET,
                "topics": [
                    {
                        "code": code,
                        "name": name,
                        "description": part,
                        "items": _items(items, modified=modified),
                    }
                    for code, name, part, items in AREAS
                    if _items(items, modified=modified)
                ],
            },
        ],
    }


CCI = _definition(modified=False)
CCI_MODIFIED = _definition(modified=True)
