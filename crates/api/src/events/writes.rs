//! The events of each kind of write, one call per write path, with the record rendered as
//! the API returns it. Called inside the write's transaction, after the change is stored.

use super::records::{account_events, lead_events, visit_corrected};
use super::targets::{check_achieved, check_achieved_many, Counted};
use super::{emit, emit_each, emit_many, Changes, EventType, Subject};
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::routes::leads::Lead;
use crate::routes::meetings::Meeting;
use crate::routes::seller_accounts::SellerAccount;
use crate::routes::visits::Visit;
use chrono::NaiveDate;
use ironfield_persistence::leads::LeadRow;
use ironfield_persistence::meetings::MeetingRow;
use ironfield_persistence::seller_accounts::AccountRow;
use ironfield_persistence::visits::VisitRow;
use ironfield_persistence::{DbConnection, Timestamp};
use serde_json::json;

fn lead_subject(row: &LeadRow) -> Subject<'_> {
    Subject {
        id: row.id.as_str(),
        team_id: row.team_id.as_ref(),
    }
}

fn account_subject(row: &AccountRow) -> Subject<'_> {
    Subject {
        id: row.id.as_str(),
        team_id: row.team_id.as_ref(),
    }
}

/// A new lead: `lead.created`.
pub fn lead_created(
    conn: &mut DbConnection,
    caller: &Caller,
    lead: &LeadRow,
    at: Timestamp,
) -> ApiResult<()> {
    let data = Lead::try_from(lead.clone())?;
    emit(
        conn,
        caller,
        EventType::LeadCreated,
        lead_subject(lead),
        &data,
        None,
        at,
    )
}

/// A lead changed from `old` to the stored `new`: its events by what moved.
pub fn lead_saved(
    conn: &mut DbConnection,
    caller: &Caller,
    old: &LeadRow,
    new: &LeadRow,
    at: Timestamp,
) -> ApiResult<()> {
    let data = Lead::try_from(new.clone())?;
    emit_each(
        conn,
        caller,
        lead_events(old, new),
        lead_subject(new),
        &data,
        at,
    )
}

/// A seller signed (created, or converted from a lead): `seller_account.signed`, and the
/// targets its owner and team may have reached.
pub fn account_signed(
    conn: &mut DbConnection,
    caller: &Caller,
    account: &AccountRow,
    at: Timestamp,
) -> ApiResult<()> {
    let data = SellerAccount::from(account.clone());
    emit(
        conn,
        caller,
        EventType::SellerAccountSigned,
        account_subject(account),
        &data,
        None,
        at,
    )?;
    check_achieved(
        conn,
        caller,
        account.owner_id.as_str(),
        account.team_id.as_ref(),
        account.signed_business_date,
        at,
    )
}

/// A seller account changed from `old` to the stored `new`. A renewal is
/// `seller_account.renewed` (its new contract as `changes`), and counts towards targets on
/// `renewed_on`; anything else is classified by what moved.
pub fn account_saved(
    conn: &mut DbConnection,
    caller: &Caller,
    old: &AccountRow,
    new: &AccountRow,
    renewed_on: Option<NaiveDate>,
    at: Timestamp,
) -> ApiResult<()> {
    let data = SellerAccount::from(new.clone());
    let Some(business_date) = renewed_on else {
        return emit_each(
            conn,
            caller,
            account_events(old, new),
            account_subject(new),
            &data,
            at,
        );
    };
    let changes = Changes::new()
        .field("contract_end", &old.contract_end, &new.contract_end)
        .field(
            "contract_value",
            &json!({"amount": old.contract_value, "currency": old.contract_currency}),
            &json!({"amount": new.contract_value, "currency": new.contract_currency}),
        );
    emit(
        conn,
        caller,
        EventType::SellerAccountRenewed,
        account_subject(new),
        &data,
        Some(changes),
        at,
    )?;
    check_achieved(
        conn,
        caller,
        new.owner_id.as_str(),
        new.team_id.as_ref(),
        business_date,
        at,
    )
}

/// A team's morning meeting opened: `meeting.opened`.
pub fn meeting_opened(
    conn: &mut DbConnection,
    caller: &Caller,
    meeting: &MeetingRow,
    at: Timestamp,
) -> ApiResult<()> {
    let data = Meeting::from(meeting.clone());
    let subject = Subject {
        id: meeting.id.as_str(),
        team_id: Some(&meeting.team_id),
    };
    let opened = EventType::MeetingOpened;
    emit(conn, caller, opened, subject, &data, None, at)
}

/// A visit stored: `visit.logged`, and the targets its rep and team may have reached.
pub fn visit_logged(
    conn: &mut DbConnection,
    caller: &Caller,
    visit: &VisitRow,
    at: Timestamp,
) -> ApiResult<()> {
    let data = Visit::from(visit.clone());
    let subject = Subject {
        id: visit.id.as_str(),
        team_id: visit.team_id.as_ref(),
    };
    emit(
        conn,
        caller,
        EventType::VisitLogged,
        subject,
        &data,
        None,
        at,
    )?;
    check_achieved(
        conn,
        caller,
        visit.rep_id.as_str(),
        visit.team_id.as_ref(),
        visit.business_date,
        at,
    )
}

/// Visits stored together (a batch, or single visits grouped into one transaction), in the
/// order given, each with who logged it: the `visit.logged` of each (one multi-row INSERT),
/// then the targets their reps and teams may have reached, read once per month rather than
/// once per visit (the same targets are announced).
pub fn visits_logged(conn: &mut DbConnection, visits: &[(&Caller, VisitRow)]) -> ApiResult<()> {
    let events = visits
        .iter()
        .map(|(caller, visit)| {
            let data = Visit::from(visit.clone());
            let subject = Subject {
                id: visit.id.as_str(),
                team_id: visit.team_id.as_ref(),
            };
            (
                *caller,
                EventType::VisitLogged,
                subject,
                data,
                visit.received_at,
            )
        })
        .collect::<Vec<_>>();
    emit_many(conn, &events)?;
    let counted: Vec<Counted<'_>> = visits
        .iter()
        .map(|(caller, visit)| Counted {
            caller,
            rep_id: visit.rep_id.as_str(),
            team_id: visit.team_id.as_ref(),
            business_date: visit.business_date,
            at: visit.received_at,
        })
        .collect();
    check_achieved_many(conn, &counted)
}

/// A visit corrected from `old` to the stored `new`: `visit.corrected` when anything moved.
pub fn visit_saved(
    conn: &mut DbConnection,
    caller: &Caller,
    old: &VisitRow,
    new: &VisitRow,
    at: Timestamp,
) -> ApiResult<()> {
    let Some(changes) = visit_corrected(old, new) else {
        return Ok(());
    };
    let data = Visit::from(new.clone());
    let subject = Subject {
        id: new.id.as_str(),
        team_id: new.team_id.as_ref(),
    };
    emit(
        conn,
        caller,
        EventType::VisitCorrected,
        subject,
        &data,
        Some(changes),
        at,
    )
}
