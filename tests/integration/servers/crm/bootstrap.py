"""Give the CRM an organisation to work in, and print a personal access token for it as JSON.

Run with the CRM's own interpreter after `migrate`, with DJANGO_SETTINGS_MODULE set. Creates
(once; a repeat reuses them) an admin and a sales user in the organisation "Brain Integration",
a lead pipeline (New, Qualified, Won), custom fields `budget` (leads) and `contract_end`
(accounts); then a new personal access token of the admin.
"""

import json

import django

django.setup()

from common.models import CustomFieldDefinition, Org, PersonalAccessToken, Profile, User  # noqa: E402
from leads.models import LeadPipeline, LeadStage  # noqa: E402

USERS = [("admin@example.com", "Ada Admin", "ADMIN"), ("sales@example.com", "Sam Seller", "USER")]
LEAD_STAGES = [("New", "open", None), ("Qualified", "open", "in process"), ("Won", "won", "converted")]
CUSTOM_FIELDS = [("Lead", "budget", "Budget", "text"), ("Account", "contract_end", "Contract end", "date")]


def main() -> None:
    org, _ = Org.objects.get_or_create(name="Brain Integration")
    profiles = {}
    for email, name, role in USERS:
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password="brain-password", name=name)
        profiles[role], _ = Profile.objects.get_or_create(
            user=user, org=org, defaults={"role": role, "has_sales_access": True})
    pipeline, _ = LeadPipeline.objects.get_or_create(name="Inbound", org=org, defaults={"is_default": True})
    for order, (name, kind, status) in enumerate(LEAD_STAGES):
        LeadStage.objects.get_or_create(pipeline=pipeline, name=name, defaults={
            "org": org, "order": order, "stage_type": kind, "maps_to_status": status})
    for target, key, label, field_type in CUSTOM_FIELDS:
        CustomFieldDefinition.objects.get_or_create(org=org, target_model=target, key=key, defaults={
            "label": label, "field_type": field_type})
    raw, _ = PersonalAccessToken.generate(profile=profiles["ADMIN"], name="brain-integration", scopes=[])
    print(json.dumps({"token": raw, "org": str(org.id)}))


main()
