"""The output cleaner on a table of real chatter: outputs of the embedded SmolLM2-135M on the demo corpus
(marked "smollm2"; collected with the plain-language v1 prompt, greedy and sampled) and the patterns
larger instruction models use, against texts that only look like chatter and must stay whole."""

import pytest

from apps.scoring.cleaning import chatter_find, output_clean
from apps.scoring.prompts import instruction_text, template_get

TEMPLATE = template_get("plain-language", 1)
PROMPTS = [instruction_text(TEMPLATE, grade=6, style="plain"), TEMPLATE.system]

LIVER = "Treatment options include surgical resection, ablation and liver transplantation."
STOOL = (
    "A positive stool-based result necessitates a follow-up colonoscopy to determine the source of the "
    "abnormal finding."
)
CIRRHOSIS = (
    "Patients with cirrhosis are advised to undergo abdominal ultrasonography every six months to detect "
    "tumors at a potentially curable stage."
)
REFLUX = (
    "Long-standing gastroesophageal reflux can lead to Barrett esophagus, a condition in which the lining "
    "changes and the risk of adenocarcinoma increases."
)
DYSPHAGIA = (
    "Progressive dysphagia, initially for solid foods and subsequently for liquids, is the most common "
    "presenting symptom."
)
DIET = (
    "Dietary patterns high in salt-preserved and smoked foods, together with tobacco use, are associated "
    "with an elevated incidence of stomach cancer."
)
SMOKING = "Smoking and heavy drinking are strong risk factors for squamous cell carcinoma of the esophagus."
SIGNS = "Warning signs include blood in the stool, a change in bowel habits and unexplained weight loss."

CHATTER = [
    # (source, raw model output, expected cleaned text)
    (  # smollm2, greedy
        LIVER,
        "Here's a rewritten version of the text in plain language:\n\nDoctors can remove the tumour, "
        "destroy it with heat, or give you a new liver.",
        "Doctors can remove the tumour, destroy it with heat, or give you a new liver.",
    ),
    (  # smollm2: the preamble's "grade 6" is not content
        CIRRHOSIS,
        "Here's a rewritten version of the text in a more suitable format for US grade 6:\n\nIf you have "
        "cirrhosis, get an ultrasound every six months.",
        "If you have cirrhosis, get an ultrasound every six months.",
    ),
    (  # smollm2: a second attempt after a note is dropped with the note
        CIRRHOSIS,
        "Here's a rewritten version of the text in a more suitable format for US grade 6:\n\nPeople with "
        "cirrhosis should have an ultrasound every six months.\n\nHere's the corrected text with improved "
        "sentence structure:\n\nPeople with cirrhosis, at any stage",
        "People with cirrhosis should have an ultrasound every six months.",
    ),
    (  # smollm2 (bench run): an opening with no word of the source, then the answer after its preamble
        STOOL,
        "Smells like a study! Stay with us!\n\nHere's a rewritten version with just the original text "
        "intact:\n\nA positive stool-based result needs a follow-up colonoscopy.",
        "A positive stool-based result needs a follow-up colonoscopy.",
    ),
    (  # smollm2
        STOOL,
        "Here's a revised version of the text in clear and easy-to-understand language:\n\nIf a stool test "
        'finds something, you need a colonoscopy.\n\nCorrected sentence: "If a stool test finds something" '
        "is more concise than the original text.",
        "If a stool test finds something, you need a colonoscopy.",
    ),
    (  # smollm2
        DYSPHAGIA,
        "The speech at US grade 6 can be written as:\n\nTrouble swallowing is the most common first sign.",
        "Trouble swallowing is the most common first sign.",
    ),
    (  # smollm2
        DYSPHAGIA,
        "Trouble swallowing, first solid food and then liquids, is the most common sign.\n\nI have revised "
        "the text to present a cleaner, more accessible version while maintaining the necessary details.",
        "Trouble swallowing, first solid food and then liquids, is the most common sign.",
    ),
    (  # smollm2
        SMOKING,
        "Text: Smoking and drinking a lot raise the risk of cancer of the food pipe.",
        "Smoking and drinking a lot raise the risk of cancer of the food pipe.",
    ),
    (  # smollm2: an echo of the original, then the answer after its label
        REFLUX,
        f'Clear language in sentences: Original: "{REFLUX}" Revised text: "Heartburn for many years can '
        'change the lining of the food pipe and raise the risk of cancer." In this version, I changed the '
        "opening sentence to make it clearer.",
        "Heartburn for many years can change the lining of the food pipe and raise the risk of cancer.",
    ),
    (  # smollm2
        DIET,
        'What a great way to make the health information clear and concise! Instead of "Dietary patterns," '
        'I can just replace the sentence with: "Eating a lot of salty or smoked food, and smoking, raise the '
        'risk of stomach cancer." The sentence "eat to eat" makes it clear.',
        "Eating a lot of salty or smoked food, and smoking, raise the risk of stomach cancer.",
    ),
    (  # smollm2: the grade phrase goes, the sentence after it stays
        "Palliative care addresses pain, nutritional deficiencies and psychological distress.",
        "At US grade 6, care for pain, food and worry is part of treatment.",
        "Care for pain, food and worry is part of treatment.",
    ),
    (  # smollm2: chatter only
        STOOL,
        "At US grade 6, you'll understand the text better and focus on the grammar and clear writing.",
        "",
    ),
    (  # smollm2
        "Chronic hepatitis B and hepatitis C infections remain the leading causes of liver cancer worldwide.",
        'This sentence needs a brief rewording to sound less like the familiar:\n\n"Long-lasting hepatitis '
        'B and C cause most liver cancer."\n\nThe original text was too long. A rewritten version would '
        'be: "Hepatitis is bad."',
        "Long-lasting hepatitis B and C cause most liver cancer.",
    ),
    (  # smollm2: an echo of the instruction, then a label
        SIGNS,
        "Recreate the text using short sentences and everyday words.\n\nOriginal text:\nSee a doctor if "
        "you see blood in your stool.",
        "See a doctor if you see blood in your stool.",
    ),
    (  # smollm2 (bench run)
        "Painless jaundice may occur when a tumor in the head of the pancreas obstructs the bile duct.",
        "Sure, I can help. How about this? Yellow skin with no pain can mean a tumour blocks the bile duct.",
        "Yellow skin with no pain can mean a tumour blocks the bile duct.",
    ),
    (  # smollm2 (bench run)
        "The pancreas is a glandular organ situated behind the stomach.",
        "In simple words, the pancreas is a gland behind your stomach.",
        "The pancreas is a gland behind your stomach.",
    ),
    (  # smollm2 (bench run)
        DYSPHAGIA,
        "Age-appropriate text:\n\nTrouble swallowing is often the first sign.",
        "Trouble swallowing is often the first sign.",
    ),
    (  # smollm2 (bench run)
        DYSPHAGIA,
        "Rewrite text: Trouble swallowing is often the first sign.",
        "Trouble swallowing is often the first sign.",
    ),
    (  # smollm2 (bench run)
        "Diagnosis is established by upper endoscopy with biopsy.",
        "A doctor looks down your throat with a camera and takes a sample.\n\nFor more details, click here.",
        "A doctor looks down your throat with a camera and takes a sample.",
    ),
    (  # smollm2 (bench run): a preamble, a colon-ended lead-in and a second attempt, nothing else
        CIRRHOSIS,
        "To make the text more accessible to readers at US grade 6, I've rewritten it so that it's still "
        "easy to understand. Here's how it's edited and rephrased:\n\n"
        "To make the text clear, the original text",
        "",
    ),
    (  # the example
        SIGNS,
        "What a lifesaver! Here's a rewritten version of the text for a 6th grader: Blood in your poop, "
        "a change in how often you go, or losing weight without trying can be signs.",
        "Blood in your poop, a change in how often you go, or losing weight without trying can be signs.",
    ),
    (
        SIGNS,
        'Sure! Here is a simpler version:\n\n"Blood in your stool can be a warning sign."\n\nLet me know if '
        "you'd like me to make it even simpler!",
        "Blood in your stool can be a warning sign.",
    ),
    (
        SIGNS,
        "Certainly. Simplified version: Blood in your stool can be a warning sign. I hope this helps!",
        "Blood in your stool can be a warning sign.",
    ),
    (
        SIGNS,
        "**Rewritten text:**\nBlood in your stool can be a warning sign.",
        "Blood in your stool can be a warning sign.",
    ),
    (
        SIGNS,
        "# Plain-language version\nBlood in your stool can be a warning sign.\n\nFeel free to ask if you "
        "have any questions.",
        "Blood in your stool can be a warning sign.",
    ),
    (
        SIGNS,
        "“Blood in your stool can be a warning sign.”",
        "Blood in your stool can be a warning sign.",
    ),
    (
        SIGNS,
        "Of course! Blood in your stool can be a warning sign.\n\nNote: I kept every warning sign of the "
        "original.",
        "Blood in your stool can be a warning sign.",
    ),
    (
        SIGNS,
        "Rewrite this text so a reader at US grade 6 understands it. Blood in your stool can be a warning "
        "sign.",
        "Blood in your stool can be a warning sign.",
    ),
    (
        SIGNS,
        "Simplified: Blood in your stool can be a warning sign. If you have any other questions, just ask.",
        "Blood in your stool can be a warning sign.",
    ),
]


@pytest.mark.parametrize(("source", "raw", "expected"), CHATTER)
def test_the_chatter_around_a_simplification_is_removed(source, raw, expected):
    cleaned = output_clean(raw, source=source, prompts=PROMPTS)
    assert cleaned.text == expected
    assert cleaned.removed  # and what went is logged for the audit view
    assert chatter_find(cleaned.text, source=source, prompts=PROMPTS) == ""


CONTENT = [
    # (source, output that is content only: it must come back unchanged)
    (
        "Symptoms of colorectal cancer include rectal bleeding, changes in bowel habits and weight loss.",
        "Here are the signs of colon cancer: blood in your stool, a change in bowel habits, and losing "
        "weight without trying.",
    ),
    (
        "If a dose is missed, it should be taken as soon as possible unless the next dose is due.",
        "Here is what to do if you miss a dose: take it when you remember, unless your next dose is soon.",
    ),
    (
        "The stool test is performed at home and returned by mail.",
        "Here's how the test works: you collect a small stool sample at home and mail it back.",
    ),
    (
        "Certain signs of a stroke require emergency care.",
        "Sure signs of a stroke include a drooping face and weak arms. Call 911.",
    ),
    (
        "Do not take more than 4 grams of acetaminophen in 24 hours.",
        "Never take more than 4 grams of acetaminophen in one day. Note: this includes cold medicines "
        "that contain it.",
    ),
    (
        "A newer version of the vaccine protects against more strains.",
        "The new version of the vaccine protects against more types of the virus.",
    ),
    (
        "High-grade dysplasia in Barrett esophagus needs treatment.",
        "Grade 3 changes in the food pipe lining need treatment. Let your doctor explain the options.",
    ),
    (
        "Read the text on the label before you take the medicine.",
        "Read the text on the label before you take the medicine.",
    ),
    (
        "Patients may receive a text message reminder the day before the procedure.",
        "You may get a text message the day before the test.",
    ),
    (
        "Your care team reviews the treatment plan after each cycle.",
        "Your doctors look at the plan after each round. Your treatment plan may be revised.",
    ),
    (
        'The doctor may say the polyp was "precancerous".',
        '"Precancerous" means the polyp could turn into cancer.',
    ),
]


@pytest.mark.parametrize(("source", "text"), CONTENT)
def test_content_that_only_looks_like_chatter_is_kept_whole(source, text):
    cleaned = output_clean(text, source=source, prompts=PROMPTS)
    assert cleaned.text == text
    assert cleaned.removed == ()


def test_wording_the_source_itself_uses_is_never_removed():
    source = "Here is a simpler version of the consent form: you can stop at any time."
    assert output_clean(source, source=source).text == source


def test_a_piece_holding_a_number_of_the_source_that_the_rest_lacks_stays():
    source = "Take 2 tablets every 6 hours."
    raw = "Here's a rewritten version with the 2 tablets every 6 hours kept: Take your medicine often."
    assert output_clean(raw, source=source).text == raw


def test_an_empty_output_stays_empty():
    assert output_clean("   ", source=SIGNS) == output_clean("", source=SIGNS)
    assert output_clean("", source=SIGNS).text == ""
