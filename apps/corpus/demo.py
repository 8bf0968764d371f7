# ruff: noqa: E501 (prose data: long string pieces read better unbroken)
"""A small demo corpus for `make run`: five documents, thirty aligned pairs about digestive cancers.

All text here was written for Equitext (not taken from SimpleDC or any publisher); the plain versions are
at or below US grade 8 by Flesch–Kincaid (most between 4 and 8), the originals at grade 12–24.
Loaded once: a second run finds the demo source and creates nothing.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from apps.corpus import services
from apps.corpus.models import Source, Status

SOURCE = "Equitext demo texts"

# (title, topic, [(original, simplified, split, status)])
DOCUMENTS = [
    (
        "Colorectal cancer: screening and early detection",
        "colorectal",
        [
            (
                "Colorectal cancer develops in the colon or rectum, usually from precancerous growths called "
                "polyps that form on the inner lining of the bowel over a period of several years.",
                "Colorectal cancer starts in the colon or rectum. It often begins as a small growth called a "
                "polyp. Polyps can take years to turn into cancer.",
                "train",
                Status.APPROVED,
            ),
            (
                "Because early-stage disease frequently produces no symptoms, routine screening is recommended "
                "for adults at average risk beginning at age 45.",
                "Early colon cancer often causes no signs. That is why most adults should start getting "
                "checked at age 45.",
                "train",
                Status.APPROVED,
            ),
            (
                "Colonoscopy permits direct visualization of the entire colon and allows polyps to be removed "
                "during the same procedure, thereby preventing their progression to malignancy.",
                "In a colonoscopy, a doctor looks inside your whole colon with a thin tube. The doctor can "
                "take out polyps during the test, so they never become cancer.",
                "train",
                Status.IN_REVIEW,
            ),
            (
                "Stool-based tests, such as the fecal immunochemical test, detect hidden blood or altered DNA "
                "and must be repeated at regular intervals to remain effective.",
                "Some tests check your stool for blood or cell changes you cannot see. You do them at home, "
                "but you need to repeat them every one to three years.",
                "dev",
                Status.IN_REVIEW,
            ),
            (
                "A positive stool-based result necessitates a follow-up colonoscopy to determine the source of "
                "the abnormal finding.",
                "If a stool test finds something, you will need a colonoscopy to learn why.",
                "test",
                Status.DRAFT,
            ),
            (
                "Individuals with a first-degree relative diagnosed with colorectal cancer, or with inflammatory "
                "bowel disease, may require earlier and more frequent surveillance.",
                "",
                "unlabelled",
                Status.DRAFT,
            ),
        ],
    ),
    (
        "Stomach cancer: risk factors and symptoms",
        "stomach",
        [
            (
                "Chronic infection with the bacterium Helicobacter pylori is a major risk factor for gastric "
                "adenocarcinoma and can be eradicated with a combination of antibiotics.",
                "A germ called H. pylori can live in the stomach for years and raise the risk of stomach "
                "cancer. Antibiotics can get rid of it.",
                "train",
                Status.APPROVED,
            ),
            (
                "Dietary patterns high in salt-preserved and smoked foods, together with tobacco use, are "
                "associated with an elevated incidence of stomach cancer.",
                "Salty, smoked, or pickled food can raise your risk of stomach cancer. So can smoking.",
                "train",
                Status.APPROVED,
            ),
            (
                "Early manifestations, including indigestion, bloating and reduced appetite, are nonspecific "
                "and are frequently attributed to benign conditions.",
                "The first signs, like heartburn, bloating, or not feeling hungry, are common. People often "
                "think they are caused by something minor.",
                "dev",
                Status.IN_REVIEW,
            ),
            (
                "Unintentional weight loss, persistent vomiting, difficulty swallowing and black, tarry stools "
                "warrant prompt medical evaluation.",
                "See a doctor soon if you lose weight without trying, keep throwing up, have trouble "
                "swallowing, or have black stools.",
                "test",
                Status.APPROVED,
            ),
            (
                "Diagnosis is established by upper endoscopy with biopsy, and the extent of disease is "
                "assessed with computed tomography.",
                "To find stomach cancer, a doctor puts a thin tube with a camera down your throat and takes a "
                "small piece of tissue. A CT scan shows if it has spread.",
                "test",
                Status.DRAFT,
            ),
            (
                "Treatment may combine perioperative chemotherapy with partial or total gastrectomy, depending "
                "on tumor location and stage.",
                "Treatment often means chemo before and after surgery. The surgery removes part or all of the "
                "stomach.",
                "train",
                Status.DRAFT,
            ),
        ],
    ),
    (
        "Liver cancer: who is at risk",
        "liver",
        [
            (
                "Hepatocellular carcinoma, the most common primary liver malignancy, arises predominantly in "
                "individuals with cirrhosis of any cause.",
                "The most common liver cancer starts in the main liver cells. It most often happens in people "
                "whose liver is badly scarred.",
                "train",
                Status.APPROVED,
            ),
            (
                "Chronic hepatitis B and hepatitis C infections remain the leading causes of liver cancer "
                "worldwide.",
                "Hepatitis B and C are the top causes of liver cancer in the world. These germs can stay in the "
                "liver for years.",
                "train",
                Status.APPROVED,
            ),
            (
                "Vaccination against hepatitis B substantially reduces the lifetime risk of developing "
                "hepatocellular carcinoma.",
                "The shot for hepatitis B can lower your chance of getting liver cancer by a lot.",
                "dev",
                Status.APPROVED,
            ),
            (
                "Excessive alcohol consumption and metabolic dysfunction-associated fatty liver disease are "
                "increasingly important contributors to cirrhosis.",
                "Drinking too much alcohol and having too much fat in the liver can both scar the liver over "
                "time.",
                "dev",
                Status.IN_REVIEW,
            ),
            (
                "Patients with cirrhosis are advised to undergo abdominal ultrasonography every six months to "
                "detect tumors at a potentially curable stage.",
                "If your liver is scarred, get an ultrasound of your belly every six months. This can find "
                "cancer early, when it may still be cured.",
                "test",
                Status.IN_REVIEW,
            ),
            (
                "Curative options include surgical resection, ablation and liver transplantation, whereas "
                "advanced disease is managed with systemic therapy.",
                "Surgery, treatments that destroy the tumor, or a new liver may cure early liver cancer. Drugs "
                "are used when it has spread.",
                "test",
                Status.DRAFT,
            ),
        ],
    ),
    (
        "Pancreatic cancer: diagnosis and treatment",
        "pancreatic",
        [
            (
                "The pancreas is a glandular organ situated behind the stomach that secretes digestive enzymes "
                "and hormones such as insulin.",
                "The pancreas sits behind the stomach. It makes juices that help digest food and hormones like "
                "insulin.",
                "train",
                Status.APPROVED,
            ),
            (
                "Pancreatic adenocarcinoma is frequently diagnosed at an advanced stage because symptoms emerge "
                "late and are often vague.",
                "Pancreatic cancer is often found late. Its signs show up late and are easy to miss.",
                "train",
                Status.APPROVED,
            ),
            (
                "Painless jaundice, characterized by yellowing of the skin and eyes, may occur when a tumor in "
                "the head of the pancreas obstructs the bile duct.",
                "Your skin and the whites of your eyes may turn yellow. This can happen when a tumor blocks the "
                "tube that drains bile.",
                "dev",
                Status.IN_REVIEW,
            ),
            (
                "Multiphase computed tomography is the preferred imaging modality for determining whether a "
                "tumor is surgically resectable.",
                "A special CT scan helps doctors see if the tumor can be taken out with surgery.",
                "test",
                Status.IN_REVIEW,
            ),
            (
                "Only a minority of patients are candidates for pancreaticoduodenectomy, an extensive operation "
                "that removes the head of the pancreas and adjacent structures.",
                "Only some people can have the main surgery. It removes part of the pancreas and nearby parts "
                "of the gut.",
                "test",
                Status.DRAFT,
            ),
            (
                "Palliative care addresses pain, nutritional deficits and psychological distress and should be "
                "integrated early in the course of treatment.",
                "Care that eases pain, eating problems, and worry should start early, along with cancer "
                "treatment.",
                "train",
                Status.DRAFT,
            ),
        ],
    ),
    (
        "Esophageal cancer: signs and care",
        "esophageal",
        [
            (
                "The esophagus is a muscular tube that transports food and liquid from the throat to the "
                "stomach.",
                "The esophagus is the tube that carries food and drink from your throat to your stomach.",
                "train",
                Status.APPROVED,
            ),
            (
                "Long-standing gastroesophageal reflux can lead to Barrett esophagus, a condition in which the "
                "lining changes and the risk of adenocarcinoma increases.",
                "Heartburn that lasts for years can change the lining of the esophagus. This change raises the "
                "risk of cancer.",
                "train",
                Status.IN_REVIEW,
            ),
            (
                "Progressive dysphagia, initially for solid foods and subsequently for liquids, is the most "
                "common presenting symptom.",
                "The most common sign is trouble swallowing. It starts with solid food and later happens with "
                "drinks too.",
                "dev",
                Status.APPROVED,
            ),
            (
                "Squamous cell carcinoma of the esophagus is strongly associated with tobacco smoking and heavy "
                "alcohol intake.",
                "One kind of cancer of the food pipe is closely linked to smoking and heavy drinking.",
                "dev",
                Status.DRAFT,
            ),
            (
                "Treatment of locally advanced disease commonly consists of chemoradiotherapy followed by "
                "esophagectomy.",
                "When the cancer has grown but not spread far, people often get chemo and radiation first. "
                "Then surgery removes the esophagus.",
                "test",
                Status.IN_REVIEW,
            ),
            (
                "Nutritional support, including temporary feeding tubes, helps patients maintain weight during "
                "therapy.",
                "A feeding tube for a short time can help you keep your weight up during treatment.",
                "test",
                Status.DRAFT,
            ),
        ],
    ),
]

# The order the workflow has to pass through to reach each status.
_STEPS = {
    Status.DRAFT: [],
    Status.IN_REVIEW: [Status.IN_REVIEW],
    Status.APPROVED: [Status.IN_REVIEW, Status.APPROVED],
}


@transaction.atomic
def load() -> int:
    """Create the demo corpus unless it exists; returns the number of segments created."""
    if Source.objects.filter(name=SOURCE).exists():
        return 0
    curator = get_user_model().objects.filter(username="curator").first()
    source = services.source_get_or_create(name=SOURCE, licence="CC0 — demo text written for Equitext")
    created = 0
    for title, topic, pairs in DOCUMENTS:
        document = services.document_create(source=source, title=title, topic=topic, actor=curator)
        for original, simplified, split, status in pairs:
            segment = services.segment_create(
                document=document, original=original, simplified=simplified, split=split, user=None
            )
            for step in _STEPS[status]:
                segment = services.segment_update(
                    segment_id=segment.pk, user=curator, version=segment.version, status=step
                )
            created += 1
    return created
