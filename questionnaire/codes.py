"""The question and choice codes that the code itself relies on, named once.

Everything else in a questionnaire may change from round to round; these codes the
respondent's pages, the privacy rules and the results are built on. A system check
(``checks.py``) fails when a questionnaire version a round uses lacks one of them.
"""

# The headline split.
STATUS, ACTIVE, NOT_STARTED = "status", "active", "not_started"
# The cooperation models; the map is coloured by the primary one.
MODELS, PRIMARY_MODEL = "models", "primary_model"
SERVICES, CHALLENGES = "services", "challenges"
RESOURCES, DEVELOPMENT_FUNDS, FUNDS_USED_FOR = "resources_dkk", "development_funds", "funds_used_for"
# A quote, and whether and how it may be published.
QUOTE, QUOTE_CONSENT, NAMED, ANONYMOUS = "quote", "quote_consent", "named", "anonymous"
# The contact person: personal data, removed when a closed round is anonymised.
RESPONDENT_NAME, RESPONDENT_TITLE = "respondent_name", "respondent_title"
RESPONDENT_EMAIL, RESPONDENT_PHONE = "respondent_email", "respondent_phone"

PERSONAL_QUESTION_CODES = (RESPONDENT_NAME, RESPONDENT_TITLE, RESPONDENT_EMAIL, RESPONDENT_PHONE)

# {question: the multiple-choice question its answer must be among}: the model that best
# describes the cooperation must be one of the models the library uses.
CHOSEN_AMONG = {PRIMARY_MODEL: MODELS}

# Used by the report (results.report) where a questionnaire has them; it leaves out what one lacks.
PLANS, BARRIERS, PLANS_COMMENT, ADVICE = "plans", "barriers", "plans_comment", "advice"
# The report's dilemma themes (results.report.themes) where a questionnaire asks them; a theme
# whose question the round's questionnaire lacks has no page.
SAME_DEPARTMENT, SAME_COMMITTEE, USER_SURVEY = "same_department", "same_committee", "user_survey"
COLOCATION, POLITICAL_VISION, JOINT_TRAINING = "colocation", "political_vision", "joint_training"
CASE_PROCESSING, SYNERGIES = "case_processing", "synergies"
