"""What a reviewer expects the evidence rules to conclude on the starter catalogue.

Written from the facts recorded in ``examples/catalogue.json`` (loaded after
``examples/evidence-graph.json``) before any rule was run on them. Every entry ends with
a one-line reason that follows from the recorded facts; node ids are those of the two
files. A test module loads both files into a fresh store and checks each list.

Structures (all plain tuples; ``reason`` is a sentence for the failure message):

``CONTEXTS``
    name -> what a commissioner asks: ``outcomes`` (outcome ids), ``minAge``/``maxAge``
    (the children's age range) and ``areaType``; used by the ranking expectations.

``EVIDENCE_BASED``
    ``(intervention, outcome, reason)``: the intervention's judgement on that outcome is
    favourable (direction FAVOURABLE, or MIXED with a favourable rigorous trial) at EIF-style
    level 3 or higher (common scale >= 3).

``NOT_SHOWN_TO_WORK``
    ``(intervention, outcome, reason)``: the judgement on that outcome is not favourable
    (no favourable rigorous finding: level NE or below, direction not FAVOURABLE).

``MIXED_DIRECTION``
    ``(intervention, outcome, reason)``: the judgement on that outcome shows the evidence as
    mixed (direction MIXED, mixed flag set), with the null or harmful trial among the
    deciding ones beside the favourable one.

``UK_TESTED`` / ``NOT_UK_TESTED``
    ``(intervention, reason)``: whether the intervention counts as UK-tested.

``UNFAVOURABLE_FINDING``
    ``(intervention, outcome, reason)``: the intervention has an unfavourable (harmful)
    finding on that outcome; wherever it is ranked or judged, it carries the
    unfavourable-finding caution and that finding is among the deciding ones.

``UK_TRIAL_CAVEAT``
    ``(intervention, reason)``: rated well by a clearinghouse, but a UK trial recorded here
    found no effect (or worse); ``practiceGap`` and the judgement must not present it as
    well evidenced without that caveat.

``CAVEATED_RATINGS``
    ``(rating, caveat kind, reason)``: the rating carries a caveat of that kind
    (DISPUTED, MIXED_FINDINGS, VARIANT_ONLY, SCOPE_LIMITED, OTHER) wherever it is shown.

``RANKS_ABOVE``
    ``(a, b, context, reason)``: in ``recommend`` for that context, ``a`` is listed and
    ranks above ``b`` whenever ``b`` is listed.

``NEVER_ABOVE``
    ``(a, b, context, reason)``: ``a`` has a harmful finding and ``b`` has none, so ``a``
    must not rank above ``b`` in that context (both may be absent).

``TRIAL_COUNTS``
    ``(intervention, trials, reason)``: the number of distinct trials the rules count for
    the intervention (publications reporting one sample count once).

``CURRENT_RATING``
    ``(intervention, scheme, rating, reason)``: of the intervention's ratings by that
    scheme, this one is the current one (the latest); the earlier ones are its history.

``RATING_DATE_PRECISION``
    ``(rating, precision, reason)``: the stored precision of the rating date.

``SCHEME_ORDER``
    ``(higher, lower, reason)``: ratings of one scheme whose common-scale levels must be
    ordered (higher strictly above lower).
"""

from typing import Final

CONTEXTS: Final = {
    "entry-to-care-3-6-rural": {
        "outcomes": ["outcome-entry-to-care"],
        "minAge": 3,
        "maxAge": 6,
        "areaType": "RURAL",
    },
    "conduct-problems-3-6": {
        "outcomes": ["outcome-child-conduct-problems"],
        "minAge": 3,
        "maxAge": 6,
        "areaType": "MIXED",
    },
}

EVIDENCE_BASED: Final = [
    (
        "family-group-conferencing",
        "outcome-entry-to-care",
        "independent UK RCT of 1,511 families: 8.6 percentage points fewer children looked after at 12 months, significant",
    ),
    (
        "incredible-years-preschool-basic",
        "outcome-child-conduct-problems",
        "UK RCT (Hutchings 2007, 153 parents) with significant favourable ECBI effects at 6 months",
    ),
    (
        "pcit",
        "outcome-physical-abuse-re-report",
        "RCT (Chaffin 2004) with a significant 30-point reduction in physical abuse re-reports at about 28 months",
    ),
    (
        "safecare",
        "outcome-cps-recidivism",
        "cluster RCT of 2,175 parents with significant favourable hazard ratios (0.74-0.83) over about six years",
    ),
    (
        "parents-under-pressure",
        "outcome-child-abuse-potential",
        "two RCTs (UK n=100, Australia n=64) each with a significant favourable effect on child abuse potential",
    ),
    (
        "tfco",
        "outcome-teen-pregnancy",
        "RCT of 166 girls: 28% vs 51% pregnant within two years, p<0.01",
    ),
]

NOT_SHOWN_TO_WORK: Final = [
    (
        "social-workers-in-schools",
        "outcome-section-47-enquiry",
        "the only trial (cluster RCT, 21 English authorities) found no significant difference on its primary outcome",
    ),
    (
        "social-workers-in-schools",
        "outcome-entry-to-care",
        "the same RCT found no impact on children entering care",
    ),
    (
        "mst",
        "outcome-out-of-home-placement",
        "the only trial recorded on placement (START, 684 families) found OR 1.25, p=0.37",
    ),
    (
        "fft",
        "outcome-youth-offending",
        "the only trial recorded on offending (UK SAFE trial) found no difference at 6 or 18 months",
    ),
    (
        "family-links-nurturing",
        "outcome-parenting-practices",
        "the only trial (286 families, South Wales) found no significant differences at 3 or 9 months",
    ),
    (
        "sfp-10-14",
        "outcome-youth-substance-use",
        "the only trial (715 families, Wales) found no evidence of an effect on its primary outcomes",
    ),
    (
        "motivational-interviewing",
        "outcome-parental-engagement",
        "the only trial (UK child protection) found no significant difference in any family outcome",
    ),
    (
        "home-start",
        "outcome-child-development",
        "the neighbourhood-randomised study found no significant difference in infant cognitive development",
    ),
    (
        "safecare",
        "outcome-out-of-home-placement",
        "the secondary analysis of the Oklahoma trial found no difference in out-of-home placement",
    ),
    (
        "paths",
        "outcome-academic-attainment",
        "the only trial of academic outcomes (45 Manchester schools) found no effect",
    ),
]

MIXED_DIRECTION: Final = [
    (
        "mst",
        "outcome-youth-offending",
        "the Brandon Centre RCT found significantly less re-offending; START found more offences with MST",
    ),
]

UK_TESTED: Final = [
    ("mst", "START, an RCT in England"),
    ("fft", "SAFE, an RCT in the UK"),
    ("family-nurse-partnership", "Building Blocks, an RCT in England"),
    ("fdac", "London FDAC evaluation with findings"),
    ("family-safeguarding", "Hertfordshire evaluation with findings"),
    ("mockingbird", "DfE-published UK evaluation with a finding"),
    ("no-wrong-door", "North Yorkshire evaluation with findings"),
    ("pause", "Sussex-led evaluation with a finding on infant care entry"),
    ("reclaiming-social-work", "Hackney evaluation with a finding"),
    ("paths", "cluster RCT in Greater Manchester"),
    ("sfp-10-14", "cluster RCT in Wales"),
    ("motivational-interviewing", "RCT in a UK local authority"),
    ("home-start", "two randomised studies in England"),
    ("social-workers-in-schools", "cluster RCT in 21 English authorities"),
    ("family-links-nurturing", "RCT in South Wales"),
    ("parents-under-pressure", "UK multicentre RCT"),
    ("lifelong-links", "Rees Centre evaluation in England with a finding"),
    ("family-group-conferencing", "UK RCT of 1,511 families (examples/evidence-graph.json)"),
    ("vipp-sd", "Healthy Start, Happy Start, an RCT at six NHS sites"),
]

NOT_UK_TESTED: Final = [
    ("safecare", "only a US trial recorded and not marked UK-tested"),
    ("tfco", "only Oregon trials recorded and not marked UK-tested"),
    ("triple-p", "only the US population trial recorded and not marked UK-tested"),
    ("abc", "no study recorded and not marked UK-tested"),
    ("homebuilders", "no study recorded and not marked UK-tested"),
    ("healthy-families-america", "no study recorded and not marked UK-tested"),
    ("child-parent-psychotherapy", "no study recorded and not marked UK-tested"),
    ("bsft", "no study recorded and not marked UK-tested"),
]

UNFAVOURABLE_FINDING: Final = [
    (
        "signs-of-safety",
        "outcome-kinship-care",
        "the WWCSC difference-in-differences analysis found fewer kinship placements under Signs of Safety",
    ),
    (
        "mst",
        "outcome-youth-offending",
        "START recorded more offences in the MST group at 18 months",
    ),
    (
        "fft",
        "outcome-child-behaviour",
        "the UK trial recorded less observed positive child behaviour in the FFT group at 18 months",
    ),
    (
        "family-nurse-partnership",
        "outcome-childrens-social-care-involvement",
        "Building Blocks recorded social services involvement with 14% of FNP children vs 8% in usual care",
    ),
]

UK_TRIAL_CAVEAT: Final = [
    ("mst", "Title IV-E Well-supported, but the English START trial found no effect on placement"),
    (
        "fft",
        "Title IV-E Well-supported and EIF 3+*, but the UK SAFE trial found no effect on offending",
    ),
    (
        "family-nurse-partnership",
        "EIF 4+ and Title IV-E Well-supported, but Building Blocks found no benefit in England",
    ),
    ("sfp-10-14", "promising US results; the Welsh RCT found no effect"),
]

CAVEATED_RATINGS: Final = [
    ("rating-eif-mst-2018", "MIXED_FINDINGS", "EIF's 4+ noted beside the null START trial"),
    (
        "rating-eif-fft-2018",
        "MIXED_FINDINGS",
        "EIF marks FFT's 3+ with an asterisk for mixed findings",
    ),
    (
        "rating-title-iv-e-mst-2019",
        "MIXED_FINDINGS",
        "well-supported, while the English RCT found no effect",
    ),
    (
        "rating-title-iv-e-homebuilders-2020",
        "DISPUTED",
        "the well-supported rating is publicly disputed",
    ),
    (
        "rating-title-iv-e-fct-2021",
        "DISPUTED",
        "downgrade from a transitional Well-Supported contested by the developer",
    ),
    (
        "rating-eif-triple-p-standard-2016",
        "VARIANT_ONLY",
        "EIF rates Level 4 Standard Triple P, not the Triple P system",
    ),
    (
        "rating-crimesolutions-bsft-2012",
        "MIXED_FINDINGS",
        "CrimeSolutions notes three studies with inconsistent findings",
    ),
    (
        "rating-title-iv-e-mi-2020",
        "SCOPE_LIMITED",
        "the rating concerns MI as a substance-use service, not child protection practice",
    ),
    ("rating-eif-fnp-2016", "SCOPE_LIMITED", "US evidence not reproduced in the English trial"),
    (
        "rating-spw-tfco-2023",
        "SCOPE_LIMITED",
        "both trials in Oregon; replication elsewhere wanted",
    ),
]

RANKS_ABOVE: Final = [
    (
        "vipp-sd",
        "bsft",
        "conduct-problems-3-6",
        "ages 1-7 fit, a favourable UK RCT and HomVEE 'Meets HHS criteria', vs ages 6-18 and no recorded trial",
    ),
    (
        "family-group-conferencing",
        "signs-of-safety",
        "entry-to-care-3-6-rural",
        "significant favourable UK RCT on entry to care vs a harmful finding and no trial on entry to care",
    ),
    (
        "family-group-conferencing",
        "social-workers-in-schools",
        "entry-to-care-3-6-rural",
        "favourable significant RCT vs a null RCT on the same outcome",
    ),
    (
        "family-group-conferencing",
        "family-safeguarding",
        "entry-to-care-3-6-rural",
        "randomised evidence on entry to care vs a before-and-after evaluation without a comparison group",
    ),
    (
        "family-group-conferencing",
        "no-wrong-door",
        "entry-to-care-3-6-rural",
        "randomised evidence vs outcomes without a comparison group for an adolescent service",
    ),
    (
        "triple-p",
        "social-workers-in-schools",
        "entry-to-care-3-6-rural",
        "favourable place-randomised trial on placements for ages 0-16 vs a null RCT in secondary schools",
    ),
    (
        "family-safeguarding",
        "signs-of-safety",
        "entry-to-care-3-6-rural",
        "favourable findings and no harmful one vs a harmful finding",
    ),
    (
        "incredible-years-preschool-basic",
        "triple-p-standard-level-4",
        "conduct-problems-3-6",
        "UK RCT with significant effects and EIF 4 vs EIF 3 and no recorded trial",
    ),
    (
        "incredible-years-preschool-basic",
        "bsft",
        "conduct-problems-3-6",
        "age range 3-6 matches and a favourable UK RCT, vs ages 6-18 and no recorded trial",
    ),
]

NEVER_ABOVE: Final = [
    (
        "signs-of-safety",
        "family-group-conferencing",
        "entry-to-care-3-6-rural",
        "Signs of Safety has a harmful finding; family group conferencing has none",
    ),
    (
        "signs-of-safety",
        "pause",
        "entry-to-care-3-6-rural",
        "Signs of Safety has a harmful finding; Pause has none",
    ),
    (
        "signs-of-safety",
        "family-safeguarding",
        "entry-to-care-3-6-rural",
        "Signs of Safety has a harmful finding; Family Safeguarding has none",
    ),
    (
        "signs-of-safety",
        "no-wrong-door",
        "entry-to-care-3-6-rural",
        "Signs of Safety has a harmful finding; No Wrong Door has none",
    ),
    (
        "signs-of-safety",
        "triple-p",
        "entry-to-care-3-6-rural",
        "Signs of Safety has a harmful finding; Triple P has none",
    ),
]

TRIAL_COUNTS: Final = [
    ("safecare", 1, "the Pediatrics paper and the placement re-analysis report one Oklahoma trial"),
    ("paths", 1, "the EEF and NIHR reports cover one Manchester trial"),
    ("triple-p", 1, "the 2009 paper and its 2016 addendum report one population trial"),
    ("fdac", 1, "the 2011 report and the 2018 follow-up describe one London cohort"),
    ("parents-under-pressure", 2, "a UK trial and an Australian trial with different samples"),
]

CURRENT_RATING: Final = [
    (
        "vipp-sd",
        "HOMVEE",
        "rating-homvee-vipp-sd-2023",
        "HomVEE's 2023 'Meets HHS criteria' replaced its 2019 'Does not meet HHS criteria'",
    ),
    (
        "child-parent-psychotherapy",
        "TITLE_IV_E",
        "rating-title-iv-e-cpp-2021",
        "the October 2021 review is later than the March 2020 one",
    ),
]

RATING_DATE_PRECISION: Final = [
    ("rating-title-iv-e-mst-2019", "DAY", "released on 20 June 2019"),
    ("rating-eif-fft-2018", "MONTH", "EIF review February 2018"),
    ("rating-title-iv-e-homebuilders-2020", "YEAR", "only the year of the approval is known"),
]

SCHEME_ORDER: Final = [
    (
        "rating-title-iv-e-fft-2019",
        "rating-title-iv-e-tf-cbt-2019",
        "Title IV-E Well-supported above Promising",
    ),
    (
        "rating-title-iv-e-fff-2019",
        "rating-title-iv-e-mst-can-2019",
        "Title IV-E Supported above Does not currently meet criteria",
    ),
    (
        "rating-crimesolutions-homebuilders-2012",
        "rating-crimesolutions-bsft-2012",
        "CrimeSolutions Effective above Promising",
    ),
    ("rating-eif-fnp-2016", "rating-eif-triple-p-standard-2016", "EIF 4+ above 3"),
]

# ---------------------------------------------------------------------------------------
# Verdicts read on undated clearinghouse pages (Blueprints, CEBC) and more schemes on one
# programme. Written from the pages read and the facts recorded, before the rules ran on
# them; the lists above are unchanged.
#
# ``AS_OF_RATINGS``
#     ``(rating, day, reason)``: the page gives no date, so the rating is stored as of
#     the day the page was read: ``ratedOn`` that day, ``ratedOnPrecision`` AS_OF.
#
# ``CURRENT_RATING_AS_OF``
#     as ``CURRENT_RATING``, for the new ratings.
#
# ``SCHEMES_DISAGREE``
#     ``(intervention, reason)``: its current ratings lie more than one step apart on the
#     common scale, so ``interventionRatings``, ``practiceGap``, the intervention's page
#     and ``recommend`` all carry the SCHEMES_DISAGREE caveat.
#
# ``SCHEMES_AGREE``
#     ``(intervention, reason)``: no SCHEMES_DISAGREE caveat although it has ratings from
#     two or more schemes.
#
# ``JUDGEMENT_SEES_DISAGREEMENT``
#     ``(intervention, outcome, reason)``: the judgement on that outcome carries the
#     SCHEMES_DISAGREE caveat beside its findings-based level.
#
# ``RATINGS_PART_SEES_DISAGREEMENT``
#     ``(intervention, context, reason)``: in ``recommend`` for that context, the item's
#     RATINGS part says the clearinghouses disagree and its rating caveats include
#     SCHEMES_DISAGREE.
#
# ``COMMON_SCALE_ORDER``
#     as ``SCHEME_ORDER``, for the new ratings (schemes may differ).

CONTEXTS["cps-recidivism"] = {"outcomes": ["outcome-cps-recidivism"]}
CONTEXTS["conduct-problems-any-age"] = {"outcomes": ["outcome-child-conduct-problems"]}

AS_OF_RATINGS: Final = [
    ("rating-blueprints-tfco", "2026-11-30", "Blueprints' TFCO page shows 'Model' with no date"),
    ("rating-blueprints-mst", "2026-11-30", "Blueprints' list of Model programmes is undated"),
    ("rating-blueprints-fft", "2026-11-30", "Blueprints' list of Model programmes is undated"),
    ("rating-blueprints-nfp", "2026-11-30", "Blueprints' list of Model programmes is undated"),
    ("rating-blueprints-paths", "2026-11-30", "Blueprints' list of Model programmes is undated"),
    (
        "rating-blueprints-family-foundations",
        "2026-11-30",
        "the Model certification is reported without a date",
    ),
    ("rating-cebc-safecare", "2026-11-30", "the CEBC SafeCare page shows '2' with no date"),
]

CURRENT_RATING_AS_OF: Final = [
    ("tfco", "BLUEPRINTS", "rating-blueprints-tfco", "its only Blueprints rating"),
    ("safecare", "CEBC", "rating-cebc-safecare", "its only CEBC rating"),
    (
        "safecare",
        "CRIMESOLUTIONS",
        "rating-crimesolutions-safecare-2020",
        "CrimeSolutions' profile posted 5 May 2020",
    ),
    ("safecare", "TITLE_IV_E", "rating-title-iv-e-safecare-2024", "re-reviewed March 2024"),
    ("bsft", "TITLE_IV_E", "rating-title-iv-e-bsft-2020", "its only Title IV-E rating"),
]

SCHEMES_DISAGREE: Final = [
    (
        "safecare",
        "Title IV-E Supported and CEBC 2 (common 4) vs CrimeSolutions 'Promising - One study' (2)",
    ),
    (
        "bsft",
        "Title IV-E Well-supported (5) vs CrimeSolutions 'Promising - More than one study' (2)",
    ),
]

SCHEMES_AGREE: Final = [
    ("mst", "Title IV-E Well-supported, EIF 4+ and Blueprints Model: all at the top of the scale"),
    ("fft", "Title IV-E Well-supported and Blueprints Model (5), EIF 3+* (4): one step"),
    ("paths", "EIF 3+ (4) and Blueprints Model (5): one step"),
    ("family-nurse-partnership", "EIF 4+, Title IV-E Well-supported and Blueprints Model"),
]

JUDGEMENT_SEES_DISAGREEMENT: Final = [
    (
        "safecare",
        "outcome-cps-recidivism",
        "its ratings disagree whatever the Oklahoma trial says on recidivism",
    ),
]

RATINGS_PART_SEES_DISAGREEMENT: Final = [
    (
        "safecare",
        "cps-recidivism",
        "SafeCare has findings on CPS recidivism and disagreeing ratings",
    ),
]

COMMON_SCALE_ORDER: Final = [
    (
        "rating-cebc-safecare",
        "rating-crimesolutions-safecare-2020",
        "CEBC 'Supported by Research Evidence' above CrimeSolutions 'Promising - One study'",
    ),
    (
        "rating-blueprints-tfco",
        "rating-eif-paths-2018",
        "Blueprints Model (two trials, sustained) above EIF 3+",
    ),
]

# The new ratings must not move the conduct-problems answer in favour of a programme with
# no recorded trial: a well-rated adolescent therapy (BSFT, ages 6-18) stays below
# programmes with favourable trials for young children.
RANKS_ABOVE_WITH_MORE_RATINGS: Final = [
    (
        "incredible-years-preschool-basic",
        "bsft",
        "conduct-problems-any-age",
        "a favourable UK RCT on conduct problems vs no recorded trial, whatever the ratings",
    ),
]

# ``EXCLUDED``
#     ``(intervention, context, reason)``: ``recommend`` for that context leaves the
#     intervention out (listed among the excluded, with a reason), never ranks it.
EXCLUDED: Final = [
    (
        "family-nurse-partnership",
        "entry-to-care-3-6-rural",
        "for first-time mothers' infants up to 2",
    ),
    ("mst", "entry-to-care-3-6-rural", "for young people aged 11 to 17"),
    (
        "no-wrong-door",
        "entry-to-care-3-6-rural",
        "for adolescents aged 12 to 25 in North Yorkshire",
    ),
]

# ``RATING_SCOPE``
#     ``(intervention, context, counted, reason)``: in ``recommend`` for that context, the
#     intervention's RATINGS part counts its WWCSC Evidence Store rating (``counted``) or
#     not: the Store rates per outcome, and a verdict scoped to another outcome says
#     nothing about the one asked for.
CONTEXTS["reunification"] = {"outcomes": ["outcome-reunification"]}

RATING_SCOPE: Final = [
    (
        "fdac",
        "entry-to-care-3-6-rural",
        False,
        "WWCSC's positive verdict on FDAC is on family reunification, not on entry to care",
    ),
    (
        "fdac",
        "reunification",
        True,
        "WWCSC found an overall positive effect on family reunification, high strength",
    ),
]
