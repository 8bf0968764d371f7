"""The AHRQ Patient Education Materials Assessment Tool (PEMAT), as data: PEMAT-P (printable materials,
17 understandability + 7 actionability items) and PEMAT-A/V (audiovisual materials, 13 + 4).

A US government work (public domain). Item texts are the published ones; `apps/instruments/README.md`
says, item by item, where each text and each N/A option was checked, and which could not be checked
(those carry `verified=False` and say why in `source_note`).
"""

# ruff: noqa: E501 (published item texts and guidance: long lines keep each sentence findable)

SOURCE = {
    "family": "PEMAT",
    "source_title": (
        "The Patient Education Materials Assessment Tool (PEMAT) and User's Guide: An Instrument To Assess "
        "the Understandability and Actionability of Print and Audiovisual Patient Education Materials"
    ),
    "source_publisher": (
        "Agency for Healthcare Research and Quality (AHRQ); Shoemaker SJ, Wolf MS, Brach C. "
        "AHRQ Publication No. 14-0002-EF"
    ),
    "source_url": "https://www.ahrq.gov/professionals/prevention-chronic-care/improve/self-mgmt/pemat/pemat1.html",
    "source_date": "November 2013, updated August 2014",
    "source_version": "1.0",
    "licence_note": "US government work (AHRQ): public domain in the United States.",
    "score_rule": (
        "For each scale: points (Agree = 1, Disagree = 0) ÷ items answered other than N/A × 100, as a "
        "percentage. Only answers a person gave or confirmed count."
    ),
}

AGREE = [
    {"value": "agree", "label": "Agree", "points": 1},
    {"value": "disagree", "label": "Disagree", "points": 0},
]
READING_AID = (
    "≥ 70% is the usual reading of “{0}” in the literature that uses the PEMAT: a reading aid, not a verdict."
)

# Where texts were checked (see README "Sources"): the AHRQ guide's own pages, and tables that reproduce
# the items with their response options in peer-reviewed articles.
PEC_2018 = "Patient Educ Couns 2018;101(3):490–496 (PMC5839932)"
T1 = f"Text: PEMAT item list in {PEC_2018}, Table 1."
NA_8990380 = "Response options (incl. N/A): JMIR 2022;8(1):e25005, Table 2 (PMC8990380)."
SCORING_11033604 = "PMC11033604, Table 2 (PEMAT-P scoring criteria)"
NA_11033604 = f"Response options (incl. N/A): {SCORING_11033604}."
NO_NA_7 = "No N/A option: PMC5839932 Table 7 recommends adding one, so the published item has none."
AHRQ_4 = "Text and ratings: AHRQ PEMAT guide, Word Choice & Style page (pemat4.html)."
AHRQ_7 = "Text, ratings and N/A rule: AHRQ PEMAT guide, Layout & Design page (pemat7.html)."
AHRQ_9 = "Text and ratings: AHRQ PEMAT guide, Actionability page (pemat9.html)."

P, AV = "P", "AV"

# (topic code, topic name, [items]); items: code, text, versions, N/A label (None: no N/A), notes…
UNDERSTANDABILITY = [
    (
        "content",
        "Content",
        [
            {
                "code": "1",
                "text": "The material makes its purpose completely evident.",
                "versions": {P, AV},
                "guidance": (
                    "Ask yourself: if I were a patient unfamiliar with the subject, would I readily know what "
                    "the purpose of the material was?"
                ),
                "source_note": f"{T1} {NA_8990380}",
            },
            {
                "code": "2",
                "text": "The material does not include information or content that distracts from its purpose.",
                "versions": {P},
                "source_note": f"{T1} {NA_8990380}",
            },
        ],
    ),
    (
        "word-choice-style",
        "Word Choice & Style",
        [
            {
                "code": "3",
                "text": "The material uses common, everyday language.",
                "versions": {P, AV},
                "guidance": (
                    "Jargon (technical language) should not be used; abbreviations and acronyms are spelled "
                    "out or defined the first time they are used."
                ),
                "auto_rule": "reading_grade",
                "source_note": f"{AHRQ_4} {T1}",
            },
            {
                "code": "4",
                "text": (
                    "Medical terms are used only to familiarize audience with the terms. When used, medical "
                    "terms are defined."
                ),
                "versions": {P, AV},
                "source_note": f"{AHRQ_4} {T1}",
            },
            {
                "code": "5",
                "text": "The material uses the active voice.",
                "versions": {P, AV},
                "source_note": f"{T1} {NA_8990380}",
            },
        ],
    ),
    (
        "numbers",
        "Use of Numbers",
        [
            {
                "code": "6",
                "text": "Numbers appearing in the material are clear and easy to understand.",
                "versions": {P},
                "na_label": "No numbers",
                "auto_rule": "numbers_clear",
                "source_note": f"{T1} {NA_8990380} {NA_11033604}",
            },
            {
                "code": "7",
                "text": "The material does not expect the user to perform calculations.",
                "versions": {P},
                "auto_rule": "no_calculations",
                "source_note": f"{T1} {NA_8990380}",
            },
        ],
    ),
    (
        "organization",
        "Organization",
        [
            {
                "code": "8",
                "text": "The material breaks or “chunks” information into short sections.",
                "versions": {P, AV},
                "na_label": "Very short material",
                "source_note": f"{T1} {NA_8990380}",
            },
            {
                "code": "9",
                "text": "The material’s sections have informative headers.",
                "versions": {P, AV},
                "na_label": "Very short material",
                "source_note": f"{T1} {NA_8990380}",
            },
            {
                "code": "10",
                "text": "The material presents information in a logical sequence.",
                "versions": {P, AV},
                "source_note": f"{T1} {NA_8990380}",
            },
            {
                "code": "11",
                "text": "The material provides a summary.",
                "versions": {P, AV},
                "na_label": "Very short material",
                "source_note": f"{T1} {NA_8990380}",
            },
        ],
    ),
    (
        "layout-design",
        "Layout & Design",
        [
            {
                "code": "12",
                "text": (
                    "The material uses visual cues (e.g., arrows, boxes, bullets, bold, larger font, "
                    "highlighting) to draw attention to key points."
                ),
                "versions": {P, AV},
                "na_label": "Video",
                "guidance": (
                    "Choose N/A if the material is a video. Visual cues should only be used for key points; "
                    "if a material overuses them, choose “Disagree”."
                ),
                "source_note": AHRQ_7,
            },
            {
                "code": "13",
                "text": "Text on the screen is easy to read.",
                "versions": {AV},
                "na_label": "No text or all text is narrated",
                "guidance": "Choose N/A if the material has no text or all of the text is narrated.",
                "source_note": AHRQ_7,
            },
            {
                "code": "14",
                "text": "The material allows the user to hear the words clearly (e.g., not too fast, not garbled).",
                "versions": {AV},
                "na_label": "No narration",
                "guidance": "Choose N/A if the material has no narration.",
                "source_note": AHRQ_7,
            },
        ],
    ),
    (
        "visual-aids",
        "Use of Visual Aids",
        [
            {
                "code": "15",
                "text": (
                    "The material uses visual aids whenever they could make content more easily understood "
                    "(e.g., illustration of healthy portion size)."
                ),
                "versions": {P},
                "source_note": f"{T1} {NA_8990380} {NO_NA_7}",
            },
            {
                "code": "16",
                "text": "The material’s visual aids reinforce rather than distract from the content.",
                "versions": {P},
                "na_label": "No visual aids",
                "auto_rule": "text_has_no_visual_aids",
                "source_note": f"{T1} {NA_8990380}",
            },
            {
                "code": "17",
                "text": "The material’s visual aids have clear titles or captions.",
                "versions": {P},
                "na_label": "No visual aids",
                "auto_rule": "text_has_no_visual_aids",
                "source_note": f"{T1} {NA_8990380}",
            },
            {
                "code": "18",
                "text": "The material uses illustrations and photographs that are clear and uncluttered.",
                "versions": {P, AV},
                "na_label": "No visual aids",
                "auto_rule": "text_has_no_visual_aids",
                "source_note": f"{T1} {NA_11033604}",
            },
            {
                "code": "19",
                "text": "The material uses simple tables with short and clear row and column headings.",
                "versions": {P, AV},
                "na_label": "No tables",
                "auto_rule": "no_tables",
                "source_note": f"Text and N/A option: {SCORING_11033604}; the start of the text also in {PEC_2018}.",
            },
        ],
    ),
]

ACTIONABILITY = [
    {
        "code": "20",
        "text": "The material clearly identifies at least one action the user can take.",
        "versions": {P, AV},
        "source_note": AHRQ_9,
    },
    {
        "code": "21",
        "text": "The material addresses the user directly when describing actions.",
        "versions": {P, AV},
        "guidance": "Choose “Disagree” if no actions are described.",
        "source_note": AHRQ_9,
    },
    {
        "code": "22",
        "text": "The material breaks down any action into manageable, explicit steps.",
        "versions": {P, AV},
        "source_note": AHRQ_9,
    },
    {
        "code": "23",
        "text": (
            "The material provides a tangible tool (e.g., menu planners, checklists) whenever it could help "
            "the user take action."
        ),
        "versions": {P},
        "source_note": f"Text: {SCORING_11033604}. {NO_NA_7}",
    },
    {
        "code": "24",
        "text": "The material provides simple instructions or examples of how to perform calculations.",
        "versions": {P},
        "na_label": "No calculations",
        "verified": False,
        "source_note": (
            "UNVERIFIED: neither the wording nor the N/A option (“No calculations”) could be found in the "
            "sources reachable from this project; both follow the AHRQ PEMAT-P form as remembered by the "
            "team. Check against the AHRQ PEMAT-P form before relying on it."
        ),
    },
    {
        "code": "25",
        "text": "The material explains how to use the charts, graphs, tables, or diagrams to take actions.",
        "versions": {P, AV},
        "na_label": "No charts, graphs, tables, or diagrams",
        "auto_rule": "no_tables",
        "verified": False,
        "source_note": (
            "Text: A/V wording (“The video explains how to use the charts, graphs, tables, or diagrams to "
            "take actions.”) in J Pers Med 2017;7(1):4, Table 2 (PMC5491980) and the start of the P "
            "wording in PMC5359990 Table 3. UNVERIFIED: the N/A option (“No charts, graphs, tables, or "
            "diagrams”) could not be found in a reachable source."
        ),
    },
    {
        "code": "26",
        "text": "The material uses visual aids whenever they could make it easier to act on the instructions.",
        "versions": {P},
        "source_note": f"Text: {PEC_2018}, Table 7. {NO_NA_7}",
    },
]


def _items(items: list[dict], version: str) -> list[dict]:
    return [
        {
            "code": item["code"],
            "text": item["text"],
            "guidance": item.get("guidance", ""),
            "options": AGREE,
            "na_label": item.get("na_label") or "",
            "auto_rule": item.get("auto_rule", ""),
            "verified": item.get("verified", True),
            "source_note": item["source_note"],
        }
        for item in items
        if version in item["versions"]
    ]


def _definition(version: str) -> dict:
    topics = [
        {"code": code, "name": name, "items": _items(items, version)}
        for code, name, items in UNDERSTANDABILITY
    ]
    print_version = version == P
    return {
        **SOURCE,
        "key": "pemat-p" if print_version else "pemat-av",
        "name": "PEMAT-P" if print_version else "PEMAT-A/V",
        "variant": "Printable materials (P)" if print_version else "Audiovisual materials (A/V)",
        "description": (
            "Understandability and actionability of printable patient education materials (brochures, "
            "pamphlets, PDFs)."
            if print_version
            else "Understandability and actionability of audiovisual patient education materials (videos, "
            "multimedia)."
        ),
        "verification_note": (
            "Item 24 (wording and N/A option) and the N/A option of item 25 could not be checked against "
            "a published source and are marked unverified; the 70% reading aid comes from the literature "
            "that applies the PEMAT, not from a cut-off the guide sets."
            if print_version
            else "The N/A option of item 25 could not be checked against a published source and is marked "
            "unverified; the 70% reading aid comes from the literature that applies the PEMAT."
        ),
        "groups": [
            {
                "code": "understandability",
                "name": "Understandability",
                "kind": "scale",
                "threshold": 70.0,
                "reading_aid": READING_AID.format("understandable"),
                "topics": [t for t in topics if t["items"]],
            },
            {
                "code": "actionability",
                "name": "Actionability",
                "kind": "scale",
                "threshold": 70.0,
                "reading_aid": READING_AID.format("actionable"),
                "items": _items(ACTIONABILITY, version),
            },
        ],
    }


PEMAT_P = _definition(P)
PEMAT_AV = _definition(AV)
