"""The words that ask for each write tool, in any order ("cancel", "void" for an order cancellation; "take it
off the store" for an unpublish), whatever agent holds the tool.

The offline planner's tool intents (`runtime/planner/intents.py`) read a tool's arguments once its cue is
found; the router asks `cued_tools` which tools a later part of a request asks for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runtime.understanding.mentions import IC, QUESTION


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, IC)


LANGUAGES = {"french": "fr", "spanish": "es", "german": "de", "hindi": "hi", "tamil": "ta", "portuguese": "pt",
             "italian": "it", "dutch": "nl", "arabic": "ar", "marathi": "mr", "telugu": "te", "bengali": "bn",
             "japanese": "ja", "chinese": "zh", "kannada": "kn", "gujarati": "gu"}


@dataclass(frozen=True)
class Cue:
    """Where a request asks for a tool: `cue` is searched; `unless` means another tool is meant."""

    cue: re.Pattern[str]
    unless: re.Pattern[str] | None = None

    def position(self, request: str) -> int | None:
        found = self.cue.search(request)
        if not found or (self.unless is not None and self.unless.search(request)):
            return None
        return found.start()


CUES: dict[str, Cue] = {
    "saleor.order_cancel": Cue(_c(r"\b(?:cancel|void)\b"), unless=_c(r"\breminder|\bsubscription\b")),
    "saleor.order_refund": Cue(_c(r"\b(?:refund|give\s+(?:\w+\s+)?back|money\s+back|reimburse)")),
    "saleor.order_fulfill": Cue(_c(r"\b(?:fulfil+|fulfilled|ship|shipped|dispatch|dispatched|left\s+the\s+warehouse|awb|tracking)\b")),
    "saleor.draft_order_create": Cue(_c(r"\b(?:phone|wholesale|draft|manual)\s+order\b|\border\s+for\s+[\w.+-]+@")),
    "saleor.product_create": Cue(_c(r"\b(?:new\s+product|(?:add|create)\s+(?:a\s+)?(?:new\s+)?product|import\s+from\s+the\s+supplier|"
                                       r"we\s+now\s+sell)\b")),
    "saleor.product_unpublish": Cue(_c(r"\b(?:unpublish|take\s+(?:it|them|\w+)?\s*off|stop\s+selling|discontinu\w*|"
                                          r"hide\b|pull\b|off\s+the\s+(?:store|shop|site))")),
    "saleor.product_publish": Cue(_c(r"\b(?:publish|put\s+.+?\s+live|make\s+.+?\s+live|go\s+live|back\s+on\s+(?:the\s+)?(?:store|shop))\b"), unless=_c(r"\bunpublish")),
    "saleor.variant_upsert": Cue(_c(r"\b(?:variant|option|size[sd]?|weigh\w*|cost\s+price|sku\s+[A-Z]{2,}-|[A-Z]{2,}(?:-[A-Z0-9]+)+\s+"
                                       r"(?:should|now|is|at|actually|costs?))\b")),
    "saleor.product_update": Cue(_c(r"\b(?:price|rename|description|copy|seo\s+title|slug|category|should\s+(?:sell|cost|be)|"
                                       r"now\s+\$?\d|make\s+it|friendlier|rewrite)\b")),
    "saleor.voucher_deactivate": Cue(_c(r"\b(?:deactivate|disable|switch\s+(?:\w+\s+){0,2}off|turn\s+(?:\w+\s+){0,2}off|kill|expire)\b")),
    "saleor.customer_update": Cue(_c(r"\b(?:tag|tagged|last\s+name|first\s+name|note\s+on|profile)\b")),
    "saleor.discount_create": Cue(_c(r"\b(?:markdown|mark\s+down|\d+\s*(?:%|percent)\s+off|sale\s+on|automatic)\b")),
    "wagtail.page_unpublish": Cue(_c(r"\b(?:unpublish|pull|take\s+(?:it\s+)?down|offline|shouldn'?t\s+be\s+live|not\s+be\s+live|"
                                        r"remove\s+.+?\s+from\s+the\s+site)\b")),
    "wagtail.page_publish": Cue(_c(r"\b(?:publish|put\s+.+?\s+live|make\s+.+?\s+live|go\s+live)\b"), unless=_c(r"\bunpublish|\bnot\s+publish|\bdon'?t\s+publish|\bdraft\s+only\b")),
    "wagtail.page_create_draft": Cue(_c(r"\b(?:new\s+page|page\s+for|(?:need|create|make|build)\s+a\s+(?:\w+\s+)?page|"
                                           r"page\s+draft|draft\s+(?:a\s+)?(?:\w+\s+)?page|version|translat\w*|in\s+(?:"
                                           + "|".join(LANGUAGES) + r"))\b")),
    "wagtail.page_update": Cue(_c(r"\b(?:seo\s+title|search\s+description|meta\s+description|slug|should\s+say|still\s+says|"
                                     r"mention|add\s+a\s+(?:short\s+)?section|change|update|link)\b")),
    "crm.lead_create": Cue(_c(r"\b(?:new\s+lead|create\s+(?:a\s+)?leads?|add\s+(?:a\s+)?(?:new\s+)?leads?|as\s+a\s+(?:new\s+)?lead|signups?)\b")),
    "crm.lead_score_update": Cue(_c(r"\b(?:score|rate|rating)\b.*?\b(?:hot|warm|cold|\d{1,3})\b|\b(?:hot|warm|cold)\b.*?\bscore")),
    "crm.lead_assign": Cue(_c(r"\b(?:assign|reassign|should\s+go\s+to|hand\s+(?:\w+\s+)?(?:over\s+)?to|give\s+.+?\s+to)\b")),
    "crm.lead_update": Cue(_c(r"\b(?:close\s+(?:his|her|their|the)\s+lead|nurture|disqualif\w*|qualif(?:y|ied)|decision\s+maker|"
                                 r"went\s+with|not\s+interested|discovery\s+call)\b")),
    "crm.lead_convert": Cue(_c(r"\bconvert\b")),
    "crm.opportunity_update": Cue(_c(r"\b(?:negotiation|proposal\s+stage|closed?\s+won|closed?\s+lost|lost\s+on|close\s+it\s+out|"
                                        r"expected\s+to\s+close|update\s+the\s+deal|probability|(?:bump|raise|lower|mark)\s+(?:the\s+)?.{0,40}?\bdeal\b|"
                                        r"\bdeal\b.{0,40}?\b(?:won|lost|to\s+\$?\d))")),
    "crm.task_update": Cue(_c(r"\b(?:close\s+that\s+task|task\s+is\s+(?:done|finished)|is\s+(?:done|finished)|reassign\s+['\"‘“]|"
                                 r"(?:move|push|postpone|reschedule)\s+(?:the\s+)?.{0,40}?\btask\b|\btask\b.{0,40}?\bpriority)")),
    "crm.task_create": Cue(_c(r"\b(?:task\s+for|create\s+a\s+task|add\s+a\s+task|to-?do\b|follow-?up\s+task)\b")),
    "crm.contact_upsert": Cue(_c(r"\b(?:new\s+contact|add\s+(?:him|her|them)|works\s+at|do\s+not\s+call|don'?t\s+call|"
                                    r"not\s+to\s+phone|change\s+(?:her|his)\s+company|hired\s+a\s+new)\b")),
    "crm.account_upsert": Cue(_c(r"\b(?:add\s+(?:an?\s+)?account|new\s+account|update\s+the\s+account|officially\s+a\s+client|"
                                    r"client\s+setup|website\s+is)\b")),
    "crm.record_merge": Cue(_c(r"\b(?:merge|same\s+(?:lead|contact|company|person)|duplicates?|combine)\b")),
    "crm.record_delete": Cue(_c(r"\b(?:forgotten|erase|delete|remove\s+(?:him|her|them|\S+@\S+)\s+from\s+the\s+crm)\b")),
    "crm.note_add": Cue(_c(r"\bnotes?\s+(?:from|on|about|for)\b|\blog\s+(?:a\s+)?note\b")),
    "scheduler.reminder_cancel": Cue(_c(r"\b(?:cancel|skip|stop|delete|remove)\b.*\breminders?\b")),
    "scheduler.reminder_create": Cue(_c(r"\b(?:remind|(?:set|add|create|schedule)\s+(?:up\s+)?(?:a\s+|the\s+)?reminders?|reminders?\s+(?:for|to|at|every|each|on)|every\s+(?:day|night|morning|evening)|each\s+(?:day|night|morning|evening))\b")),
    "gamification.achievement_award": Cue(_c(r"\b(?:badge|award|achievement)\b")),
    "gamification.leaderboard_visibility_set": Cue(_c(r"\b(?:rankings?|leaderboards?)\b.*\b(?:anonym\w*|hide|hidden|public|shown|"
                                                         r"visible|name)|\b(?:anonym\w*)\b")),
    "gamification.portfolio_entry_create": Cue(_c(r"\b(?:showcase|case\s+study|portfolio)\b")),
    "memory.write": Cue(_c(r"\b(?:save|keep|remember|store|note\s+down|log)\b.*\b(?:brief|note|this|that|list|meds|track|it)\b|"
                              r"\bsave\s+the\b")),
    "telegram.message_broadcast": Cue(_c(r"\b(?:broadcast|(?:tell|message|notify|ping|update)\s+(?:the\s+team|all|every\w*)|"
                                            r"let\s+(?:the\s+team|every\w*|all)\b.+?\bknow|announce)\b")),
}


def cued_tools(request: str) -> list[str]:
    """The tools whose words the request uses, in the order they come, whatever agent holds them."""
    if QUESTION.search(request):
        return []
    found = sorted((pos, tool) for tool, cue in CUES.items() if (pos := cue.position(request)) is not None)
    return [tool for _, tool in found]
