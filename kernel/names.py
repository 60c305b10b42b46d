"""Every intent, entity, slot, action and response name used in Python code, defined once.

`domain.yml` is the source of truth; tests/test_names.py checks that each constant here exists there
(and that every custom action in the domain is served), so a typo fails the tests instead of silently
never firing.
"""

from __future__ import annotations


class Intent:
    GREET = "greet"
    GOODBYE = "goodbye"
    THANK = "thank"
    AFFIRM = "affirm"
    DENY = "deny"
    BOT_CHALLENGE = "bot_challenge"
    QUERY_CASE_PROGRESS = "query_case_progress"
    QUERY_DISHONEST_DEBTOR = "query_dishonest_debtor"
    CONTACT_JUDGE = "contact_judge"
    REQUEST_HUMAN = "request_human"
    FILE_COMPLAINT = "file_complaint"
    INFORM = "inform"
    FAQ = "faq"
    LEGAL_ADVICE = "legal_advice"
    OUT_OF_SCOPE = "out_of_scope"
    NLU_FALLBACK = "nlu_fallback"  # Rasa's own, produced by FallbackClassifier


# Intents that concern a specific case: a real legal question must not land here (see the benchmark).
CASE_SPECIFIC_INTENTS = (
    Intent.QUERY_CASE_PROGRESS,
    Intent.QUERY_DISHONEST_DEBTOR,
    Intent.CONTACT_JUDGE,
    Intent.FILE_COMPLAINT,
)


class Entity:
    CASE_NUMBER = "case_number"
    ID_NUMBER = "id_number"
    CREDIT_CODE = "credit_code"
    PERSON_NAME = "person_name"
    ORG_NAME = "org_name"
    PHONE = "phone"


class Slot:
    CASE_NUMBER = "case_number"
    PERSON_NAME = "person_name"
    ORG_NAME = "org_name"
    ID_NUMBER = "id_number"
    CREDIT_CODE = "credit_code"
    PHONE = "phone"
    REQUESTED = "requested_slot"
    CP_CASE_NUMBER = "cp_case_number"
    CP_IDENTITY = "cp_identity"
    CP_CODE = "cp_code"
    CP_NAME = "cp_name"
    CP_VERIFICATION = "cp_verification"
    CP_TOKEN = "cp_token"
    VERIFIED_CASE = "verified_case"
    VERIFIED_PARTY = "verified_party"
    DEBTOR_NAME = "debtor_name"
    DEBTOR_IDENTITY = "debtor_identity"
    WO_KIND = "wo_kind"
    WO_CASE_NUMBER = "wo_case_number"
    WO_NAME = "wo_name"
    WO_PHONE = "wo_phone"
    WO_SUMMARY = "wo_summary"
    WO_CONFIRM = "wo_confirm"
    # confirmed but not stored (the desk or the action server was down): 重新提交 (affirm) submits it again
    WO_RETRY = "wo_retry"
    WORKORDER_NUMBER = "workorder_number"
    # the open order whose staff reply is the latest thing in the conversation (set by the desk, see contracts)
    SUPPLEMENT_ORDER = "supplement_order"


class Form:
    CASE_PROGRESS = "case_progress_form"
    DEBTOR = "debtor_form"
    WORKORDER = "workorder_form"


class Action:
    SESSION_START = "action_session_start"
    ANSWER_FAQ = "action_answer_faq"
    GREET = "action_greet"
    GOODBYE = "action_goodbye"
    ANYTHING_ELSE = "action_anything_else"
    CLARIFY = "action_clarify"
    CANCEL_FORM = "action_cancel_form"
    VALIDATE_CASE_PROGRESS = "validate_case_progress_form"
    CASE_PROGRESS = "action_case_progress"
    ASK_CP_CODE = "action_ask_cp_code"
    VALIDATE_DEBTOR = "validate_debtor_form"
    DEBTOR_LOOKUP = "action_debtor_lookup"
    START_WORKORDER = "action_start_workorder"
    VALIDATE_WORKORDER = "validate_workorder_form"
    ASK_WO_CONFIRM = "action_ask_wo_confirm"
    ASK_WO_CASE_NUMBER = "action_ask_wo_case_number"
    ASK_CP_CASE_NUMBER = "action_ask_cp_case_number"
    ASK_CP_IDENTITY = "action_ask_cp_identity"
    ASK_DEBTOR_NAME = "action_ask_debtor_name"
    ASK_DEBTOR_IDENTITY = "action_ask_debtor_identity"
    ASK_WO_NAME = "action_ask_wo_name"
    ASK_WO_PHONE = "action_ask_wo_phone"
    ASK_WO_SUMMARY = "action_ask_wo_summary"
    SUBMIT_WORKORDER = "action_submit_workorder"
    WORKORDER_STATUS = "action_workorder_status"
    INFORM_WITHOUT_CONTEXT = "action_inform_without_context"
    ADD_SUPPLEMENT = "action_add_supplement"


class Response:
    WELCOME = "utter_welcome"
    GREET = "utter_greet"
    GOODBYE = "utter_goodbye"
    ANYTHING_ELSE = "utter_anything_else"
    LEGAL_ADVICE = "utter_legal_advice"
    OUT_OF_SCOPE = "utter_out_of_scope"
    FAQ_MENU = "utter_faq_menu"
    CANCELLED = "utter_cancelled"
    SERVICE_ERROR = "utter_service_error"
    ACTION_UNAVAILABLE = "utter_action_unavailable"  # said by the Rasa server itself (bot/resilience.py)
    STORE_UNAVAILABLE = "utter_store_unavailable"  # said by the Rasa server itself (bot/store_guard.py)
    ASK_CP_CASE_NUMBER = "utter_ask_cp_case_number"
    ASK_CP_IDENTITY = "utter_ask_cp_identity"
    ASK_WO_CASE_NUMBER = "utter_ask_wo_case_number"
    FAQ_PREFIX = "utter_faq/"


FAQ_KEYS = (
    "litigation_fee",
    "case_filing",
    "enforcement_apply",
    "credit_repair",
    "office_hours",
    "court_location",
    "online_service",
    "hotline",
    "document_copy",
    "appeal",
)

# Human-readable labels for the buttons of the clarification turn.
INTENT_LABELS = {
    Intent.QUERY_CASE_PROGRESS: "查询案件进度",
    Intent.QUERY_DISHONEST_DEBTOR: "查询失信被执行人",
    Intent.CONTACT_JUDGE: "联系承办法官",
    Intent.REQUEST_HUMAN: "转人工服务",
    Intent.FILE_COMPLAINT: "投诉举报",
    Intent.FAQ: "诉讼服务常见问题",
    Intent.LEGAL_ADVICE: "法律咨询",
    Intent.GREET: "打个招呼",
    Intent.GOODBYE: "结束对话",
    Intent.THANK: "致谢",
    Intent.BOT_CHALLENGE: "了解我是谁",
    Intent.OUT_OF_SCOPE: "其他问题",
    Intent.INFORM: "提供信息",
    Intent.AFFIRM: "是的",
    Intent.DENY: "不是",
}

# Actions whose failure leaves something the citizen can resend with one tap (affirm): the slot that marks it.
# bot/resilience.py sets it when the Rasa server could not reach the action; the action sets it itself.
RETRY_SLOTS = {Action.SUBMIT_WORKORDER: Slot.WO_RETRY}

ACTION_LISTEN = "action_listen"  # Rasa's own: wait for the citizen (not in domain.yml, so not in Action)
