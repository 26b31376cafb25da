"""A short field-app flow driven by the client that openapi-python-client generates from
openapi/openapi.json, against a running server (tests/client/check.sh starts one).

Sign in, create a lead, log a visit on it with a client-made id twice (stored once, as the
list shows), read the month's progress. Every call goes through the generated code, so a
spec that lies about a shape, a status or a parameter fails here.

Environment: IRONFIELD_URL, IRONFIELD_ADMIN_EMAIL, IRONFIELD_ADMIN_PASSWORD.
"""

import datetime
import os
import sys
import uuid

from ironfield_client import AuthenticatedClient, Client
from ironfield_client.api.auth import login
from ironfield_client.api.leads import create_lead, get_lead
from ironfield_client.api.targets import target_progress
from ironfield_client.api.visits import list_visits, log_visit
from ironfield_client.models import (
    Lead,
    LeadCreate,
    LoginRequest,
    Outcome,
    ProgressReport,
    Purpose,
    TokenResponse,
    Visit,
    VisitInput,
    VisitPage,
)


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}", file=sys.stderr)
        sys.exit(1)


def main():
    base_url = os.environ["IRONFIELD_URL"]
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    signed_in = login.sync_detailed(
        client=anonymous,
        body=LoginRequest(
            email=os.environ["IRONFIELD_ADMIN_EMAIL"],
            password=os.environ["IRONFIELD_ADMIN_PASSWORD"],
        ),
    )
    check(signed_in.status_code == 200, f"sign in: {signed_in.status_code} {signed_in.content!r}")
    check(isinstance(signed_in.parsed, TokenResponse), "sign in answers a TokenResponse")
    client = AuthenticatedClient(
        base_url=base_url, token=signed_in.parsed.access_token, raise_on_unexpected_status=True
    )

    created = create_lead.sync_detailed(
        client=client,
        body=LeadCreate(
            company_name="义乌市星辰饰品厂",
            contact_name="陈海燕",
            phone="138 0013 8000",
            market="国际商贸城一区",
            stall_no="A-1023",
        ),
        idempotency_key=f"flow-lead-{uuid.uuid4()}",
    )
    check(created.status_code == 201, f"create lead: {created.status_code} {created.content!r}")
    lead = created.parsed
    check(isinstance(lead, Lead), "create lead answers a Lead")
    check(lead.phone == "+8613800138000", f"phone stored as E.164: {lead.phone}")
    check(lead.stage.value == "new", f"a new lead starts new: {lead.stage}")

    visit_id = uuid.uuid4()
    visited_at = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).replace(
        microsecond=0
    )

    def send_visit():
        return log_visit.sync_detailed(
            client=client,
            body=VisitInput(
                id=visit_id,
                lead_id=lead.id,
                visited_at=visited_at,
                purpose=Purpose.FOLLOW_UP,
                outcome=Outcome.INTERESTED,
                notes="老板下周回义乌",
                duration_minutes=20,
            ),
        )

    first = send_visit()
    check(first.status_code == 201, f"log visit: {first.status_code} {first.content!r}")
    check(isinstance(first.parsed, Visit), "log visit answers a Visit")
    again = send_visit()
    check(again.status_code == 200, f"the same visit again: {again.status_code} {again.content!r}")
    check(isinstance(again.parsed, Visit) and again.parsed.id == visit_id, "the stored visit")

    page = list_visits.sync_detailed(client=client, lead_id=lead.id)
    check(page.status_code == 200, f"list visits: {page.status_code} {page.content!r}")
    check(isinstance(page.parsed, VisitPage), "list visits answers a VisitPage")
    check([v.id for v in page.parsed.items] == [visit_id], f"stored once: {page.parsed.items}")

    visited = get_lead.sync(client=client, id=lead.id)
    check(isinstance(visited, Lead) and visited.stage.value == "visited", "the visit moved the lead")

    period = visited_at.strftime("%Y-%m")
    progress = target_progress.sync_detailed(period, client=client)
    check(progress.status_code == 200, f"progress: {progress.status_code} {progress.content!r}")
    report = progress.parsed
    check(isinstance(report, ProgressReport), "progress answers a ProgressReport")
    check(report.period == period, f"the period asked for: {report.period}")
    check(report.working_days.total >= report.working_days.elapsed, "working days add up")

    print("client flow: signed in, lead created, visit stored once, progress read")


if __name__ == "__main__":
    main()
